function X = o3_collect(M_, oo_, options_)
% O3_COLLECT  Collect Dynare 5.3's order-3 decision rule (k_order_solver) plus checks.
%   Called right after `dynare <model> nolog noclearall` in the same Octave session.
%   Provenance only (tests/reference/order3/make_order3.py); tests do not need it.
  dr = oo_.dr;
  ov = dr.order_var; ys = dr.ys;
  ns = M_.nspred; ne = M_.exo_nbr; n = M_.endo_nbr;
  sv = ov(M_.nstatic + (1:ns));
  X = struct();
  X.dynare_version = dynare_version();
  X.octave_version = version();
  X.model = M_.fname;
  X.order = options_.order;
  X.k_order_solver = double(options_.k_order_solver);
  X.pruning = double(options_.pruning);
  X.endo_names = cellstr(M_.endo_names(:))';
  X.orig_endo_nbr = M_.orig_endo_nbr;
  X.exo_names = cellstr(M_.exo_names(:))';
  X.param_names = cellstr(M_.param_names(:))';
  X.params = M_.params(:)';
  X.Sigma_e = M_.Sigma_e;
  X.ys = ys(:)';
  X.nstatic = M_.nstatic; X.npred = M_.npred; X.nboth = M_.nboth; X.nfwrd = M_.nfwrd;
  X.nspred = M_.nspred; X.nsfwrd = M_.nsfwrd;
  X.maximum_lag = M_.maximum_lag; X.maximum_lead = M_.maximum_lead;
  X.order_var = ov(:)';
  X.inv_order_var = dr.inv_order_var(:)';
  X.state_var = sv(:)';
  X.n_aux_vars = 0;
  if isfield(M_, 'aux_vars') && ~isempty(M_.aux_vars), X.n_aux_vars = numel(M_.aux_vars); end
  f = {'ghx','ghu','ghxx','ghxu','ghuu','ghs2','ghxxx','ghxxu','ghxuu','ghuuu','ghxss','ghuss'};
  for i = 1:numel(f)
    X.(f{i}) = dr.(f{i});
  end

  % ---------------------------------------------------------------- checks
  C = struct();
  res = evaluate_static_model(ys, oo_.exo_steady_state, M_.params, M_, options_);
  C.static_residual_max_abs = max(abs(res));
  % eigenvalues / Blanchard-Kahn, from a fresh order-1 solve with the MATLAB solver
  o1 = options_; o1.order = 1; o1.k_order_solver = 0;
  [dr1, info1] = resol(0, M_, o1, oo_);
  ev = abs(dr1.eigval(:));
  qzc = options_.qz_criterium; if isempty(qzc), qzc = 1 + 1e-6; end
  C.n_eigval_above_qz_criterium = sum(ev > qzc);
  C.n_unit_roots = sum(abs(ev - 1) < 1e-6);
  C.blanchard_kahn_satisfied = (C.n_eigval_above_qz_criterium == M_.nsfwrd);
  % re-solve at order 3 (k_order) and check it reproduces the stored rule
  [dr3, info3] = resol(0, M_, options_, oo_);
  C.resol_info_order3 = info3(1);
  d = 0;
  for i = 1:numel(f), d = max(d, max(abs(dr3.(f{i})(:) - dr.(f{i})(:)))); end
  C.resolve_order3_max_abs_diff = d;
  % Dynare's MATLAB order-2 solver (dyn_second_order_solver, no k_order) vs the k-order rule
  o2 = options_; o2.order = 2; o2.k_order_solver = 0;
  [dr2, info2] = resol(0, M_, o2, oo_);
  C.matlab_order2_info = info2(1);
  g2 = {'ghx','ghu','ghxx','ghxu','ghuu','ghs2'};
  for i = 1:numel(g2)
    C.(['matlab_order2_max_abs_diff_' g2{i}]) = max(abs(dr2.(g2{i})(:) - dr.(g2{i})(:)));
  end
  C.matlab_order1_max_abs_diff_ghx = max(abs(dr1.ghx(:) - dr.ghx(:)));
  C.matlab_order1_max_abs_diff_ghu = max(abs(dr1.ghu(:) - dr.ghu(:)));
  % Dynare++ tensors g_0, g_1 (the rule at sigma = 1, in deviations from ys):
  %   g_0 = 1/2 ghs2 (+ 1/6 ghsss, zero for symmetric shocks), g_1 = [ghx ghu] + 1/2 [ghxss ghuss]
  C.g0_minus_half_ghs2_max_abs = max(abs(dr.g_0 - 0.5*dr.ghs2));
  C.g1_minus_ghx_ghu_minus_half_ghxss_ghuss_max_abs = ...
      max(max(abs(dr.g_1 - [dr.ghx dr.ghu] - 0.5*[dr.ghxss dr.ghuss])));
  C.g1_minus_ghx_ghu_minus_ghxss_ghuss_max_abs = ...
      max(max(abs(dr.g_1 - [dr.ghx dr.ghu] - [dr.ghxss dr.ghuss])));
  C.ghxss_ghuss_max_abs = max(abs([dr.ghxss(:); dr.ghuss(:)]));
  % Kronecker symmetry of the third-order tensors
  C.ghxxx_kron_symmetry_max_abs = kron_sym3(dr.ghxxx, ns, ns, ns, 'xxx');
  C.ghxxu_kron_symmetry_max_abs = kron_sym3(dr.ghxxu, ns, ns, ne, 'xx.');
  C.ghxuu_kron_symmetry_max_abs = kron_sym3(dr.ghxuu, ns, ne, ne, '.uu');
  C.ghuuu_kron_symmetry_max_abs = kron_sym3(dr.ghuuu, ne, ne, ne, 'xxx');
  C.ghxx_kron_symmetry_max_abs = max(max(abs(dr.ghxx - dr.ghxx(:, perm2(ns)))));

  % --- one step of Dynare's own order-3 simulator (simult_ -> dynare_simul_, Dynare++ tensors
  %     g_0..g_3, no pruning) against the explicit formula of README.md
  randn('state', 11); rand('state', 11);
  xhat = 0.05*randn(ns, 1).*max(abs(ys(sv)), 1);
  u = 0.02*randn(ne, 1);
  y0 = ys; y0(sv) = ys(sv) + xhat;
  opt = options_; opt.pruning = 0; opt.k_order_solver = 1;
  ysim = simult_(M_, opt, y0, dr, u', 3);
  fconv = ys(ov) + rule3(dr, xhat, u, 1, [0.5 0.5 1 1/6 0.5]);
  S = struct();
  S.x = xhat(:)'; S.u = u(:)'; S.y_next = ysim(:, 2)';   % y_next in declaration order (levels)
  X.simult_point = S;
  C.simult_order3_vs_formula_max_abs_diff = max(abs(ysim(ov, 2) - fconv));
  fwrong = ys(ov) + rule3(dr, xhat, u, 1, [0.5 0.5 1 1/6 1]);
  C.simult_order3_vs_formula_with_ghxss_coef1_max_abs_diff = max(abs(ysim(ov, 2) - fwrong));
  fwrong = ys(ov) + rule3(dr, xhat, u, 1, [0.5 0.5 1 1/6 1/6]);
  C.simult_order3_vs_formula_with_ghxss_coef1over6_max_abs_diff = max(abs(ysim(ov, 2) - fwrong));
  % Dynare's MATLAB pruned order-3 simulator (Andreasen et al.) gives the same one-step value
  % when it starts at y0 (first step: yhat2 = yhat3 = 0, all terms built on yhat1 = xhat).
  opt.pruning = 1;
  yprn = simult_(M_, opt, y0, dr, u', 3);
  C.simult_pruned_order3_first_step_vs_formula_max_abs_diff = max(abs(yprn(ov, 2) - fconv));

  % --- order of accuracy: E_t of the dynamic residual along the rule is O(h^4) under the
  %     convention (ratio 16 per halving of h); each misreading leaves an O(h^3) error (ratio 8).
  %     x and u of order h; Sigma_e scaled by (h/h0)^2, so ghs2, ghxss, ghuss scale by (h/h0)^2.
  m = 5;
  [nodes, w] = gh_nodes(m, ne);
  L = sqrtm_psd(M_.Sigma_e);
  h0 = 0.01;
  hs = [1e-2, 5e-3, 2.5e-3, 1.25e-3];
  dx = randn(ns, 1).*max(abs(ys(sv)), 1);
  du = L*randn(ne, 1)/h0;
  variants = {'dynare_convention',      [0.5 0.5 1 1/6 0.5];
              'ghxss_ghuss_coef_1',     [0.5 0.5 1 1/6 1];
              'ghxss_ghuss_coef_1over6',[0.5 0.5 1 1/6 1/6];
              'ghxss_ghuss_omitted',    [0.5 0.5 1 1/6 0];
              'third_order_omitted',    [0.5 0.5 1 0 0]};
  R = zeros(numel(hs), rows(variants));
  for k = 1:numel(hs)
    h = hs(k); s2 = (h/h0)^2;
    xh = h*dx; uu = h*du;
    ylag = ys; ylag(sv) = ys(sv) + xh;
    for v = 1:rows(variants)
      cf = variants{v, 2};
      yt = ys; yt(ov) = ys(ov) + rule3(dr, xh, uu, s2, cf);
      xn = yt(sv) - ys(sv);
      acc = 0;
      for q = 1:size(nodes, 2)
        un = sqrt(s2)*L*nodes(:, q);
        y1 = ys; y1(ov) = ys(ov) + rule3(dr, xn, un, s2, cf);
        acc = acc + w(q)*dyn_resid(M_, ylag, yt, y1, uu', ys);
      end
      R(k, v) = max(abs(acc));
    end
  end
  E = struct();
  E.h = hs;
  E.h_meaning = 'x = h*dx, u = h*du, Sigma_e scaled by (h/0.01)^2; Gauss-Hermite 5 points per shock';
  for v = 1:rows(variants)
    E.(variants{v, 1}) = R(:, v)';
    E.([variants{v, 1} '_ratio']) = R(1:end-1, v)' ./ R(2:end, v)';
  end
  C.euler_residual_order_test = E;
  X.checks = C;
end

function y = rule3(dr, x, u, s2, c)
% Order-3 rule in deviations, rows in DR order. c = [c_xx_uu, c_s2, c_xu, c_3, c_sigma2_x]
% Dynare convention: c = [1/2 1/2 1 1/6 1/2].  s2 = sigma^2 (1 = the model's Sigma_e).
  xx = kron(x, x); xu = kron(x, u); uu = kron(u, u);
  y = dr.ghx*x + dr.ghu*u ...
      + c(1)*(dr.ghxx*xx + dr.ghuu*uu) + c(3)*dr.ghxu*xu + c(2)*dr.ghs2*s2 ...
      + c(4)*(dr.ghxxx*kron(xx, x) + 3*dr.ghxxu*kron(xx, u) + 3*dr.ghxuu*kron(xu, u) + dr.ghuuu*kron(uu, u)) ...
      + c(5)*(dr.ghxss*x + dr.ghuss*u)*s2;
end

function m = kron_sym3(G, a, b, c, kind)
% max asymmetry of a 3-index Kronecker-ordered tensor under the permutations that must hold
  T = reshape(G', c, b, a, size(G, 1));          % T(k,j,i,r) = G(r, (i-1)*b*c + (j-1)*c + k)
  T = permute(T, [3 2 1 4]);                     % T(i,j,k,r)
  m = 0;
  if strcmp(kind, 'xxx')
    P = perms(1:3);
    for p = 1:rows(P)
      m = max(m, max(abs(T(:) - reshape(permute(T, [P(p, :) 4]), [], 1))));
    end
  elseif strcmp(kind, 'xx.')
    m = max(abs(T(:) - reshape(permute(T, [2 1 3 4]), [], 1)));
  else
    m = max(abs(T(:) - reshape(permute(T, [1 3 2 4]), [], 1)));
  end
end

function P = perm2(ns)
  P = zeros(ns*ns, 1);
  for i = 1:ns, for j = 1:ns, P((i-1)*ns + j) = (j-1)*ns + i; end, end
end

function r = dyn_resid(M_, ylag, ycur, ylead, x, ys)
  lli = M_.lead_lag_incidence;
  yv = zeros(nnz(lli), 1);
  src = {ylag, ycur, ylead};
  for rr = 1:size(lli, 1)
    for v = 1:size(lli, 2)
      if lli(rr, v) > 0, yv(lli(rr, v)) = src{rr}(v); end
    end
  end
  r = feval([M_.fname '.dynamic'], yv, x, M_.params, ys, 1);
end

function [X, W] = gh_nodes(m, d)
  % Gauss-Hermite (probabilists') nodes for N(0, I_d), tensor product
  J = diag(sqrt(1:m-1), 1) + diag(sqrt(1:m-1), -1);
  [Vv, Dd] = eig(J); x = diag(Dd); w = (Vv(1, :)'.^2);
  X = x'; W = w';
  for k = 2:d
    X = [kron(X, ones(1, m)); kron(ones(1, size(X, 2)), x')];
    W = kron(W, w');
  end
end

function L = sqrtm_psd(S)
  [Q, E] = eig((S + S')/2); L = Q*diag(sqrt(max(diag(E), 0)));
end
