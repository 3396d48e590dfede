// RBC with the price of a two-period zero-coupon bond: x(+2) inside a nonlinear expression.
// Dynare puts (c(+2)/c)^(-sigma) as a whole into an auxiliary variable, so q2 keeps
// E_t[beta^2 (c_{t+2}/c_t)^(-sigma)] at order 2; substituting c(+2) alone gives
// E_t[beta^2 (E_{t+1} c_{t+2}/c_t)^(-sigma)], whose g_ss differs.
var c k z q2 q1;
varexo e;
parameters beta alpha delta rho sigma sig_e;
beta = 0.96; alpha = 0.36; delta = 0.1; rho = 0.9; sigma = 4; sig_e = 0.05;
model;
  c^(-sigma) = beta*c(+1)^(-sigma)*(alpha*exp(z(+1))*k^(alpha-1) + 1 - delta);
  k = exp(z)*k(-1)^alpha + (1 - delta)*k(-1) - c;
  z = rho*z(-1) + e;
  q2 = beta^2*(c(+2)/c)^(-sigma);
  q1 = beta*(c(+1)/c)^(-sigma);
end;
steady_state_model;
  z = 0;
  k = ((1/beta - 1 + delta)/alpha)^(1/(alpha - 1));
  c = k^alpha - delta*k;
  q2 = beta^2;
  q1 = beta;
end;
shocks;
  var e; stderr sig_e;
end;
stoch_simul(order=2, irf=0, noprint, nograph);
