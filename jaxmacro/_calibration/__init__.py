"""Calibration, one home: the problem (`_problem.py`), the loop (`_loop.py`), the result objects
(`_result.py`), checkpoints (`_checkpoint.py`), the stop status (`_status.py`), the parameter
transforms (`_transforms.py`) and the front doors (`_calibrate.py`)."""

from ._calibrate import calibrate as calibrate, calibrate_multistart as calibrate_multistart
from ._checkpoint import (
    CheckpointError as CheckpointError,
    fingerprint as fingerprint,
    load_checkpoint as load_checkpoint,
    save_checkpoint as save_checkpoint,
)
from ._loop import default_optimizer as default_optimizer
from ._result import Calibration as Calibration, MultiStartCalibration as MultiStartCalibration
from ._status import CalibrationStatus as CalibrationStatus
from ._transforms import (
    AbstractTransform as AbstractTransform,
    Bounded as Bounded,
    Identity as Identity,
    Positive as Positive,
    UnitInterval as UnitInterval,
    as_transform as as_transform,
    to_natural as to_natural,
    to_unconstrained as to_unconstrained,
    with_free as with_free,
)
