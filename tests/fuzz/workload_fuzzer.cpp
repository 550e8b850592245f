// libFuzzer target: the workload loader takes any bytes. A bad workload may
// only be rejected with InputError (file:line:column); any other exception, a
// crash, a sanitizer report or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/errors.h"
#include "harness/workload/workload_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    clobber::load_workload_text(std::string(reinterpret_cast<const char*>(data), size),
                                "fuzz.yaml");
  } catch (const clobber::InputError&) {
  }
  return 0;
}
