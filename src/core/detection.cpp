#include "core/detection.hpp"

namespace fp {

int64_t largest_id(const std::vector<Detection>& objects) {
  int64_t largest = 0;
  for (const Detection& d : objects) largest = std::max(largest, d.id);
  return largest;
}

void number_objects(std::vector<Detection>& objects) {
  int64_t next = largest_id(objects);
  for (Detection& d : objects) {
    if (d.id == 0) d.id = ++next;
  }
}

void shift_ids(std::vector<Detection>& objects, int64_t offset) {
  for (Detection& d : objects) {
    if (d.id != 0) d.id += offset;
    if (d.parent != 0) d.parent += offset;
  }
}

}  // namespace fp
