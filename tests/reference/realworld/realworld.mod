// A replication-style test file for the jaxmacro importer.
// RBC written as replication files are: (Modèle RBC – Latin-1/cp1252 bytes in comments),
// MATLAB code before and after stoch_simul, a mod-file local variable, a parameter
// calibrated inside steady_state_model, predetermined_variables, steady_state(), a lead on
// a shock inside a product, a variable steady_state_model leaves at 0, two stoch_simul.
% @#if this is a comment, not a directive
close all; clc;
@#define USE_NEWS = 1
var y c k n z ylog;
varexo e;
parameters beta alpha delta rho psi sigma nbar;
alpha = 0.33; delta = 0.025; rho = 0.95; sigma = 2;
betta_local = 0.99;
beta = betta_local;
nbar = 1/3;
psi = 1;                 % recalibrated in steady_state_model
predetermined_variables k;
options_.nograph = 1;
model;
  c^(-sigma) = beta*c(+1)^(-sigma)*(alpha*exp(z(+1))*(k(+1)/n(+1))^(alpha-1) + 1 - delta)
@#if USE_NEWS
    *exp(0.01*e(+1))
@#endif
    ;
  psi/(1 - n) = c^(-sigma)*(1 - alpha)*y/n;
  y = exp(z)*k^alpha*n^(1 - alpha);
  k(+1) = y - c + (1 - delta)*k;
  z = rho*z(-1) + e;
  ylog = log(y) - log(steady_state(y));
end;
steady_state_model;
  z = 0;
  n = nbar;
  kn = ((1/beta - 1 + delta)/alpha)^(1/(alpha - 1));
  k = kn*n;
  y = k^alpha*n^(1 - alpha);
  c = y - delta*k;
  psi = c^(-sigma)*(1 - alpha)*y/n*(1 - n);
end;
shocks;
  var e; stderr 0.01;
end;
steady;
check;
verbatim;
  disp('this is MATLAB'); x = {1, 'a'};
end;
varobs y;
estimated_params;
  rho, beta_pdf, 0.9, 0.05;
end;
write_latex_dynamic_model;
stoch_simul(order=1, irf=0, noprint) y c;
rho = 0.9;
stoch_simul(order=2, irf=0, noprint);
ys_t = oo_.dr.ys'; names = {'y', 'c'}; disp(names{1});
h = @(x) x.^2; fprintf('%f', h(2));
for i = 1:3
  disp(i);
end
