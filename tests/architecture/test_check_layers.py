"""check_layers.py against small made-up trees: clean, and each kind of violation."""
import pathlib
import tempfile
import unittest

import check_layers


def make_tree(files):
    root = pathlib.Path(tempfile.mkdtemp())
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


class CheckLayersTest(unittest.TestCase):
    def test_clean_tree(self):
        root = make_tree({
            "src/core/graph.cc": '#include "opcost/graph.h"\n#include "io/file_io.h"\n',
            "src/memory/memory.cc": '#include "opcost/profile.h"\n#include "core/op_registry.h"\n',
            "include/opcost/memory.h": '#include "opcost/graph.h"\n',
        })
        self.assertEqual(check_layers.check(root), [])

    def test_upward_include_names_file_line_and_rule(self):
        root = make_tree({"src/memory/memory.cc": '// x\n#include "opcost/estimator.h"\n'})
        self.assertEqual(check_layers.check(root), [
            "src/memory/memory.cc:2: area 'memory' may not include 'estimate' "
            "(\"opcost/estimator.h\")"])

    def test_public_header_follows_its_area(self):
        root = make_tree({"include/opcost/graph.h": '#include "opcost/profile.h"\n'})
        self.assertEqual(len(check_layers.check(root)), 1)

    def test_private_header_of_another_area(self):
        root = make_tree({"src/report/report.cc": '#include "memory/memory_graph.h"\n'})
        self.assertIn("is private to area 'memory'", check_layers.check(root)[0])

    def test_unmapped_public_header(self):
        root = make_tree({"include/opcost/new_thing.h": "\n"})
        self.assertIn("no area", check_layers.check(root)[0])


if __name__ == "__main__":
    unittest.main()
