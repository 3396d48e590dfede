// Stochastic growth (RBC) model without labour, log utility.
// Source: Brock-Mirman / Kydland-Prescott one-sector growth model as in textbook
//   treatments (e.g. King, Plosser and Rebelo 1988 without leisure); quarterly calibration
//   alpha = 0.36, beta = 0.99, delta = 0.025, AR(1) log TFP with rho = 0.95, sigma = 0.01.
// Timing (Dynare convention): k is capital at the END of period t, so output uses k(-1).
// Approximation order: -DORDER=1 or -DORDER=2 on the dynare command line (default 2).
@#ifndef ORDER
@#define ORDER = 2
@#endif

var c k y inv z;
varexo e;
parameters alpha beta delta rho sigma;

alpha = 0.36;
beta  = 0.99;
delta = 0.025;
rho   = 0.95;
sigma = 0.01;

model;
  // consumption Euler equation, u(c) = log(c)
  1/c = beta*(1/c(+1))*(alpha*exp(z(+1))*k^(alpha-1) + 1 - delta);
  // technology
  y = exp(z)*k(-1)^alpha;
  // capital accumulation
  k = (1-delta)*k(-1) + inv;
  // goods market
  y = c + inv;
  // log TFP
  z = rho*z(-1) + e;
end;

steady_state_model;
  z   = 0;
  k   = (alpha/(1/beta - 1 + delta))^(1/(1-alpha));
  y   = k^alpha;
  inv = delta*k;
  c   = y - inv;
end;

shocks;
  var e; stderr sigma;
end;

steady;
check;

stoch_simul(order=3, irf=0, periods=0, noprint, nograph, nomoments, nocorr, nofunctions);
