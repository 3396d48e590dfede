// Two-country Lucas-tree endowment economy with trade in two equities: the first stage of
// the Devereux-Sutherland (2011) zero-order portfolio method.
// Sources: Devereux, M. and A. Sutherland (2011), "Country portfolios in open economy
//   macro models", Journal of the European Economic Association 9(2), 337-369 (method);
//   the economy is the two-tree example whose complete-markets portfolio is given by
//   Baxter and Jermann (1997), "The international diversification puzzle is worse than you
//   think", American Economic Review 87(1).
// Economy: one good. Country i receives Y_i = exp(y_i), y_i = rhoy*y_i(-1) + e_i. A share
//   theta of Y_i is paid as dividends on equity i (in unit supply); the rest is non-traded
//   labour income. CRRA utility with risk aversion gam, discount factor bet.
// DS first stage: the home budget constraint carries the portfolio income
//   Ybar*(bet*atil*(R1 - R2) + zeta), where R_i are gross equity returns, atil is the
//   normalised home position in equity 1 relative to full ownership of the home tree
//   (equity 2 = numeraire asset, alpha = atil*bet*Ybar in units of the good) and zeta is a
//   zero-variance iid input. Home Euler equations price both equities; the foreign Euler
//   equation is imposed for the numeraire asset; world resource constraint.
//   After the first-order solution:
//     rx = r1 - r2 = R1*zeta + R2*[e1; e2],  cdiff = gam*(c1 - c2) = D1*zeta + D2*[e1; e2]
//     atil = (R2*Sigma*D2'*R1' - R2*Sigma*R2'*D1)^(-1) * R2*Sigma*D2'
//   with Sigma the covariance of (e1, e2). Closed form here: atil = -1/(2*(1-bet)).
// Calibrations (-DCALIB=1 or -DCALIB=2; default 1):
//   1: bet = 0.96, gam = 2, theta = 1/3, rhoy = 0.9, sd(e1) = sd(e2) = 0.01, corr = 0
//   2: bet = 0.99, gam = 5, theta = 0.2, rhoy = 0.5, sd(e1) = 0.02, sd(e2) = 0.01, corr = 0.3
// Variables are logs except nfa (home net foreign assets, units of the good).
// The model has a unit root (nfa and the consumption differential), as usual for DS models.
@#ifndef CALIB
@#define CALIB = 1
@#endif
@#ifndef ORDER
@#define ORDER = 1
@#endif

var y1 y2 c1 c2 p1 p2 r1 r2 nfa cdiff rx;
varexo e1 e2 zeta;
parameters bet gam theta rhoy sd1 sd2 corr12 atil;

@#if CALIB == 1
bet    = 0.96;
gam    = 2;
theta  = 1/3;
rhoy   = 0.9;
sd1    = 0.01;
sd2    = 0.01;
corr12 = 0;
@#else
bet    = 0.99;
gam    = 5;
theta  = 0.2;
rhoy   = 0.5;
sd1    = 0.02;
sd2    = 0.01;
corr12 = 0.3;
@#endif
atil   = 0;

model;
  // endowments
  y1 = rhoy*y1(-1) + e1;
  y2 = rhoy*y2(-1) + e2;
  // home Euler equations price the two equities (ex-dividend prices p1, p2)
  exp(p1) = bet*exp(-gam*(c1(+1) - c1))*(exp(p1(+1)) + theta*exp(y1(+1)));
  exp(p2) = bet*exp(-gam*(c1(+1) - c1))*(exp(p2(+1)) + theta*exp(y2(+1)));
  // gross equity returns
  exp(r1) = (exp(p1) + theta*exp(y1))/exp(p1(-1));
  exp(r2) = (exp(p2) + theta*exp(y2))/exp(p2(-1));
  // foreign Euler equation for the numeraire asset (equity 2)
  1 = bet*exp(-gam*(c2(+1) - c2))*exp(r2(+1));
  // home budget constraint with DS portfolio income
  nfa = exp(r2)*nfa(-1) + exp(y1) - exp(c1) + exp(STEADY_STATE(y1))*(bet*atil*(exp(r1) - exp(r2)) + zeta);
  // world resource constraint
  exp(c1) + exp(c2) = exp(y1) + exp(y2);
  // DS objects: marginal-utility differential and excess return
  cdiff = gam*(c1 - c2);
  rx = r1 - r2;
end;

steady_state_model;
  y1 = 0;
  y2 = 0;
  c1 = 0;
  c2 = 0;
  p1 = log(bet*theta/(1-bet));
  p2 = p1;
  r1 = -log(bet);
  r2 = r1;
  nfa = 0;
  cdiff = 0;
  rx = 0;
end;

shocks;
  var e1; stderr sd1;
  var e2; stderr sd2;
  corr e1, e2 = corr12;
  var zeta; stderr 0;
end;

steady;
check;

stoch_simul(order=3, irf=0, periods=0, noprint, nograph, nomoments, nocorr, nofunctions);
