// The project's bit-exact host reference kernels (opcost::kernels, include/opcost/kernels/) run
// on a sweep layer: the second, independent reference every emulated output is checked against.
#ifndef OPCOST_CHARACTERIZE_LIBRARY_REFERENCE_H_
#define OPCOST_CHARACTERIZE_LIBRARY_REFERENCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "layers.h"

namespace opcost::characterize {

// Returns false (and *error) if the library rejects the layer.
bool LibraryOutput(const LayerSpec& spec, const LayerData& data, std::vector<std::int8_t>* output,
                   std::string* error);

}  // namespace opcost::characterize

#endif  // OPCOST_CHARACTERIZE_LIBRARY_REFERENCE_H_
