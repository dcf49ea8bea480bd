// The dashboard's files (src/serve/dashboard/), compiled into the program by
// cmake/embed_assets.cmake, so the service needs no file beside it and no network.
#pragma once

#include <cstddef>
#include <string_view>

namespace fp::serve {

struct Asset {
  std::string_view name;          // e.g. "index.html", "app.js"
  std::string_view content_type;  // from its extension
  std::string_view bytes;
};

// The asset named `name`; nullptr when there is none.
const Asset* find_asset(std::string_view name);

}  // namespace fp::serve
