// The CPU cores this process may run on (its affinity mask), lowest first: what a CPU budget
// (the engine's --cpus, the job service's --cpus) is drawn from.
#pragma once

#include <vector>

namespace fp {

std::vector<int> allowed_cores();

}  // namespace fp
