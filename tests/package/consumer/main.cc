// A program outside the opcost tree, built against the installed package.
#include <iostream>

#include "opcost/opcost.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  try {
    const opcost::Graph g = opcost::LoadModel(argv[1]);
    const opcost::NetworkMetrics m = opcost::ComputeMetrics(g);
    std::cout << "layers=" << g.nodes().size() << " macs=" << m.total.macs << "\n";
  } catch (const opcost::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
