"""Public example and paper models.

Each paper lives in its own submodule (``jaxmacro.models.kraay2000``, ``jaxmacro.models.zhang2019``,
...); small textbook models are re-exported here.
"""
