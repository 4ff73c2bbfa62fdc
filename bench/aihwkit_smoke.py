"""A smoke check of the aihwkit venv: one analog layer with aihwkit's PCM
noise model and global drift compensation, inferred at t0 and after an hour
of drift (run by `bash scripts/dev aihwkit` with .venv-aihwkit/bin/python)."""
import torch
from aihwkit.inference import GlobalDriftCompensation, PCMLikeNoiseModel
from aihwkit.nn import AnalogLinear
from aihwkit.simulator.configs import InferenceRPUConfig

torch.manual_seed(0)
config = InferenceRPUConfig()
config.noise_model = PCMLikeNoiseModel(g_max=25.0)
config.drift_compensation = GlobalDriftCompensation()
layer = AnalogLinear(64, 10, bias=False, rpu_config=config).eval()
x = torch.rand(4, 64)
with torch.no_grad():
    fresh = layer(x)
    layer.drift_analog_weights(3600.0)
    drifted = layer(x)
print(f"aihwkit: an analog 64x10 layer, outputs {tuple(fresh.shape)}; "
      f"mean |change| after 1 h of drift {float((drifted - fresh).abs().mean()):.4f}")
