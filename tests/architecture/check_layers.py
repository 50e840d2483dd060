#!/usr/bin/env python3
"""Checks that each area of src/ includes only the areas below it (docs/architecture.md, "Layers").

Every `#include "..."` of src/<area>/ and of the public headers in include/opcost/ is mapped to
the area that owns it; an include of an area that is not allowed, or of another area's private
header, is an error naming the file, the line and the rule. Exit 0 when clean, 1 otherwise.
"""
import pathlib
import re
import sys

# What each area may include besides itself, bottom to top.
ALLOWED = {
    "io": set(),
    "core": {"io"},
    "kernels": {"core", "io"},
    "profile": {"core", "io"},
    "estimate": {"profile", "core", "io"},
    "memory": {"profile", "core", "io"},
    "tflite": {"core", "io"},
    "onnx": {"core", "io"},
    "report": {"estimate", "memory", "profile", "core", "io"},
    "cli": {"report", "onnx", "tflite", "estimate", "memory", "profile", "kernels", "core", "io"},
}
# Public headers (include/opcost/) and the area that implements them.
PUBLIC = {
    "error.h": "io",
    "types.h": "core", "op_type.h": "core", "graph.h": "core", "builder.h": "core",
    "shape_inference.h": "core", "metrics.h": "core", "model_io.h": "core",
    "interpreter.h": "kernels",
    "profile.h": "profile", "profile_catalog.h": "profile",
    "estimator.h": "estimate", "fit.h": "estimate", "validation.h": "estimate",
    "liveness.h": "memory", "memory.h": "memory", "order_search.h": "memory",
    "arena_planner.h": "memory",
    "tflite_import.h": "tflite", "onnx_import.h": "onnx", "report.h": "report",
}
# Private headers an area shares with the areas above it on purpose (the bottom area's are all
# shared): core's op table, which every area reads its per-op facts from, and the test-vector
# harness behind `opcost vectors` (not installed).
SHARED_PRIVATE = {"core/op_registry.h", "kernels/test_vectors.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def owner(header):
    """The area that owns an included header, and whether it is private to that area."""
    if header.startswith("opcost/kernels/"):
        return "kernels", False
    if header.startswith("opcost/"):
        name = header[len("opcost/"):]
        if name == "opcost.h":
            return "umbrella", False
        return PUBLIC.get(name), False
    area = header.split("/", 1)[0]
    return (area if area in ALLOWED else None), area != "io" and header not in SHARED_PRIVATE


def check(root):
    errors = []
    files = [(p, p.parent.name) for p in sorted((root / "src").glob("*/*.[ch]*"))]
    for p in sorted((root / "include" / "opcost").rglob("*.h")):
        rel = p.relative_to(root / "include").as_posix()
        area, _ = owner(rel)
        if area is None:
            errors.append(f"{rel}: public header has no area in check_layers.py's PUBLIC table")
        elif area != "umbrella":
            files.append((p, area))
    for path, area in files:
        if area not in ALLOWED:
            errors.append(f"{path.relative_to(root)}: area '{area}' is not in the layer table")
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            header = m.group(1)
            target, private = owner(header)
            where = f"{path.relative_to(root)}:{lineno}"
            if target is None:
                errors.append(f"{where}: \"{header}\" belongs to no known area")
            elif target == area or target == "umbrella" and area == "cli":
                continue
            elif target not in ALLOWED[area]:
                errors.append(f"{where}: area '{area}' may not include '{target}' (\"{header}\")")
            elif private:
                errors.append(f"{where}: \"{header}\" is private to area '{target}'")
    return errors


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    errors = check(root)
    for e in errors:
        print(e)
    print(f"{len(errors)} layering error(s)" if errors else "layers: clean")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
