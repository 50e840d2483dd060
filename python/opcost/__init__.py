"""opcost: what a neural network costs on a microcontroller.

Per-layer MACs, cycles, latency, energy and memory footprint from pre-characterized hardware
profiles (docs/python.md). Results are plain objects: dicts with attribute access, `to_dict()`
and `records()` (one dict per layer, for `pandas.DataFrame(result.records())`).

    import opcost
    g = opcost.load_model("models/mlperf_kws_ds_cnn.json")
    e = opcost.estimate(g, "stm32f746-cmsis-nn")
    e.totals.latency_s, e.records()[0]["cycles"]
"""
import json
import os

from . import _opcost
from ._opcost import (Error, Graph, GraphBuilder, IncrementalEstimate, Layer, Profile,
                      load_model, parse_model)

__all__ = [
    "Error", "Graph", "GraphBuilder", "IncrementalEstimate", "Layer", "Profile", "Result", "estimate",
    "estimate_batch", "fit", "from_torch", "layer", "list_profiles", "load_model", "load_profile",
    "memory", "metrics", "model_from_dict", "parse_model", "profile_dirs",
]


class Result(dict):
    """A result: a dict whose keys are also attributes (`r.totals.macs`)."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def to_dict(self):
        """A plain dict (nested dicts and lists copied), e.g. for json.dumps."""
        return _plain(self)

    def records(self):
        """One plain dict per layer (or step, for memory results): pandas.DataFrame takes it."""
        rows = self["layers"] if "layers" in self else self["steps"]
        return [_plain(r) for r in rows]


def _wrap(value):
    if isinstance(value, dict):
        return Result((k, _wrap(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def model_from_dict(model, source="<dict>"):
    """A Graph from a dict in the JSON model format (docs/model-format.md)."""
    try:
        text = json.dumps(model, allow_nan=False)
    except (TypeError, ValueError) as e:  # NaN, inf, objects JSON cannot hold
        raise Error(f"{source}: not a JSON model: {e}") from None
    return parse_model(text, source)


def layer(op, input_shape, name=None, dtype="int8", **fields):
    """One layer without a graph (metrics computed once), for NAS tables and estimate_batch.

    `fields` are the layer fields of the JSON model format: layer("conv2d", [1, 32, 32, 16],
    filters=32, kernel=[3, 3], stride=2).
    """
    name = name or op
    spec = {"name": name, "op": op, **fields}
    model = {"format": "opcost-model", "format_version": 1, "name": name, "dtype": dtype,
             "inputs": [{"name": name + "/input", "shape": list(input_shape)}], "layers": [spec]}
    try:
        text = json.dumps(model, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise Error(f"<layer {name}>: {e}") from None
    return _opcost._layer_from_model_text(text)


def profile_dirs():
    """Directories searched for profile names: $OPCOST_PROFILE_PATH, then the shipped ones."""
    env = [d for d in os.environ.get("OPCOST_PROFILE_PATH", "").split(":") if d]
    packaged = os.path.join(os.path.dirname(os.path.abspath(__file__)), "profiles")
    return env + [packaged] + list(_opcost._compiled_profile_dirs())


def load_profile(name_or_path, weights=None, layer_weights=None, allow_fallback=False):
    """A profile by name ("stm32f746-cmsis-nn") or path, with an optional weight placement:
    weights="sram" puts every layer's weights in that memory region, layer_weights={"fc": "sram"}
    single layers."""
    pairs = sorted((layer_weights or {}).items())
    return _opcost._load_profile(name_or_path, profile_dirs(), weights or "", pairs,
                                 allow_fallback)


def list_profiles():
    """Names of every profile found in profile_dirs() (aliases included), sorted."""
    return list(_opcost._list_profiles(profile_dirs()))


def _as_graph(model):
    if isinstance(model, Graph):
        return model
    if isinstance(model, (str, os.PathLike)):
        return load_model(os.fspath(model))
    if isinstance(model, dict):
        return model_from_dict(model)
    raise TypeError("expected an opcost.Graph, a model path or a model dict, got "
                    + type(model).__name__)


def _as_profile(profile):
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, (str, os.PathLike)):
        return load_profile(os.fspath(profile))
    raise TypeError("expected an opcost.Profile or a profile name, got " + type(profile).__name__)


def metrics(model):
    """Per-layer and total counts, the names of `opcost metrics --format json`."""
    return _wrap(_opcost._metrics(_as_graph(model)))


def estimate(model, profile):
    """Cycles, latency and energy per layer and in total (`opcost estimate --format json`).
    `model` is a Graph, a path, a model dict or a list of Layers."""
    profile = _as_profile(profile)
    if isinstance(model, (list, tuple)):
        return _wrap(_opcost._estimate_layers(list(model), profile))
    return _wrap(_opcost._estimate_graph(_as_graph(model), profile))


def memory(model, profile=None, optimize_order=False, plan=False, in_place=False, alignment=16,
           max_states=1 << 22, max_seconds=0):
    """Liveness per step, peak activations, footprint; with a profile the kernels' scratch and
    the fit; optionally the best order and an arena plan (`opcost memory --format json`).
    The order search stops after `max_states` states or `max_seconds` seconds (0: no time
    bound); `optimal` says whether the order is proven and `stop_reason` why not."""
    profile = None if profile is None else _as_profile(profile)
    return _wrap(_opcost._memory(_as_graph(model), profile, optimize_order, plan, in_place,
                                 alignment, max_states, max_seconds))


def estimate_batch(candidates, profile, threads=1, memory=False):
    """Scores many candidates in one call, without the GIL, on `threads` threads.

    A candidate is a Graph or a list of Layers. Returns one dict per candidate: macs, latency_s,
    energy_j and, with memory=True (Graphs only), peak_activation_bytes (scratch included).
    """
    return _opcost._estimate_batch(candidates, _as_profile(profile), threads, memory)


def from_torch(module, example_input, name=None):
    """A Graph from a torch.nn.Module traced with torch.fx (docs/python.md)."""
    from .torch_frontend import from_torch as convert  # torch is imported only when used
    return convert(module, example_input, name=name)


def fit(rows, base, scale_only=False, own_scale=(), leave_one_out=True, name=None):
    """Fits `base`'s throughput to measurements (`opcost fit`, docs/profiles.md).

    rows: dicts {"name", "model" (Graph, path, model dict or list of Layers), "latency_s",
    optional "energy_j"}. scale_only=True fits one constant (plus one per category in
    own_scale, e.g. ["conv"]), for a runtime with few measurements. Returns (Profile, Result)
    with per-row residuals and the leave-one-out errors beside the ops-proportional model's.
    """
    prepared = []
    for i, row in enumerate(rows):
        try:
            model = row["model"]
            model = list(model) if isinstance(model, (list, tuple)) else _as_graph(model)
            prepared.append((str(row.get("name", i)), model, float(row["latency_s"]),
                             float(row.get("energy_j", -1.0))))
        except (KeyError, TypeError, ValueError) as e:
            if isinstance(e, Error):
                raise
            raise Error(f"fit row {i}: needs name, model and latency_s ({e!r})") from None
    profile, summary = _opcost._fit(prepared, _as_profile(base), scale_only, list(own_scale),
                                    leave_one_out, name or "")
    return profile, _wrap(summary)
