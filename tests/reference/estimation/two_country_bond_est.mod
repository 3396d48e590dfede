// Two-country, one-good stochastic growth model, incomplete markets (bond economy).
// Source: two-country version of the one-sector growth model in the spirit of
//   Backus, Kehoe and Kydland (1992) and Baxter and Crucini (1995, bond economy),
//   without labour; the bond position is made stationary with a quadratic portfolio
//   adjustment cost as in Schmitt-Grohe and Uribe (2003, "Closing small open economy models").
// Calibration (quarterly): alpha = 0.36, beta = 0.99, delta = 0.025, CRRA gam = 2;
//   log TFP z_i = rho*z_i(-1) + rho12*z_j(-1) + e_i with rho = 0.95, spillover rho12 = 0.025,
//   sd(e_i) = 0.01, corr(e1, e2) = 0.25; adjustment cost phi = 0.001 around a zero position.
// Assets: one real discount bond (price q, pays one unit of the good next period);
//   country 1 holds b1 (end of period), country 2 holds -b1.
// Timing (Dynare convention): k1, k2, b1 are END-of-period stocks.

var c1 c2 k1 k2 inv1 inv2 y1 y2 z1 z2 b1 q nx1;
varexo e1 e2;
parameters alpha beta delta rho rho12 sigma corr12 gam phi;

alpha  = 0.36;
beta   = 0.99;
delta  = 0.025;
rho    = 0.95;
rho12  = 0.025;
sigma  = 0.01;
corr12 = 0.25;
gam    = 2;
phi    = 0.001;

model;
  // capital Euler equations
  c1^(-gam) = beta*c1(+1)^(-gam)*(alpha*exp(z1(+1))*k1^(alpha-1) + 1 - delta);
  c2^(-gam) = beta*c2(+1)^(-gam)*(alpha*exp(z2(+1))*k2^(alpha-1) + 1 - delta);
  // technology and capital accumulation
  y1 = exp(z1)*k1(-1)^alpha;
  y2 = exp(z2)*k2(-1)^alpha;
  k1 = (1-delta)*k1(-1) + inv1;
  k2 = (1-delta)*k2(-1) + inv2;
  // TFP with spillovers
  z1 = rho*z1(-1) + rho12*z2(-1) + e1;
  z2 = rho*z2(-1) + rho12*z1(-1) + e2;
  // bond Euler equations; the cost (phi/2)*b^2 gives the premium phi*b
  c1^(-gam)*(q + phi*b1) = beta*c1(+1)^(-gam);
  c2^(-gam)*(q - phi*b1) = beta*c2(+1)^(-gam);
  // budget constraints (their sum is the world resource constraint)
  c1 + inv1 + q*b1 + (phi/2)*b1^2 = y1 + b1(-1);
  c2 + inv2 - q*b1 + (phi/2)*b1^2 = y2 - b1(-1);
  // net exports of country 1
  nx1 = y1 - c1 - inv1;
end;
steady_state_model;
  z1 = 0;
  z2 = 0;
  k1 = (alpha/(1/beta - 1 + delta))^(1/(1-alpha));
  k2 = k1;
  y1 = k1^alpha;
  y2 = y1;
  inv1 = delta*k1;
  inv2 = inv1;
  c1 = y1 - inv1;
  c2 = c1;
  b1 = 0;
  q = beta;
  nx1 = 0;
end;

shocks;
  var e1; stderr sigma;
  var e2; stderr sigma;
  corr e1, e2 = corr12;
  // measurement errors on observed variables
  var y1; stderr 0.002;
  var c2; stderr 0.001;
  var nx1; stderr 0.003;
  var inv1; stderr 0.0015;
end;

steady;
check;

// Estimation reference (jaxmacro tests/reference/estimation): four observables, correlated
// shocks, measurement errors and missing observations (NaN in the data file); the
// log-likelihood at the initial values (mode_compute=0), lik_init=1.
varobs y1 c2 nx1 inv1;
estimated_params;
  rho, 0.95;
end;
// RICCATI is given by make_reference.py (-DRICCATI=...); -1 (Dynare's exact filter, as
// jaxmacro's) when the file is read without it
@#ifndef RICCATI
@#define RICCATI = -1
@#endif
options_.riccati_tol = @{RICCATI};
options_.debug = true;  // makes Dynare store oo_.likelihood_at_initial_parameters
estimation(datafile='two_country_bond.csv', mode_compute=0, lik_init=1, nograph, plot_priors=0);
