"""Public example and paper models.

Small textbook models are re-exported here; each paper lives in its own submodule
(``jaxmacro.models.kraay2000``, ``jaxmacro.models.zhang2019``, ...).

Convention for model modules: the library is imported from [`jaxmacro.internal`][] only (its
documented lower-level entry points and the public classes models build on); scaffolding the
paper models share (option and parameter checks, the DS portfolio with NaN-on-failure, present
values) lives in `_scaffold.py`.
"""

from ._rbc import rbc as rbc
from ._two_country import two_country_bond as two_country_bond
from .lucas_trees import lucas_trees_ds as lucas_trees_ds, lucas_trees_ds_n as lucas_trees_ds_n
