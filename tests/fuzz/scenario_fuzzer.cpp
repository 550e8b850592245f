// libFuzzer target: the scenario loader takes any bytes. A bad scenario may
// only be rejected with InputError (file:line:column); any other exception, a
// crash, a sanitizer report or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/errors.h"
#include "harness/scenario/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    clobber::load_scenario_text(std::string(reinterpret_cast<const char*>(data), size),
                                "fuzz.yaml");
  } catch (const clobber::InputError&) {
  }
  return 0;
}
