# Fails when a file of src/LAYER/ includes a header of a layer that LAYER does not link (directly
# or below), or includes with "..", which would go around the include paths. Run by the build
# before LAYER compiles (cmake/framepipe_layers.cmake); the include paths refuse the same headers,
# this says why. Arguments (-D): SOURCE_DIR, LAYER, ALLOWED and ORDER (comma-separated), STAMP.
cmake_minimum_required(VERSION 3.25)
string(REPLACE "," ";" allowed "${ALLOWED}")
string(REPLACE "," " < " order "${ORDER}")
file(GLOB folders LIST_DIRECTORIES true RELATIVE ${SOURCE_DIR}/src ${SOURCE_DIR}/src/*)
file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR} ${SOURCE_DIR}/src/${LAYER}/*.cpp
     ${SOURCE_DIR}/src/${LAYER}/*.hpp)
set(errors "")
foreach(file IN LISTS files)
  file(STRINGS ${SOURCE_DIR}/${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[\"<]([^\">]*).*" "\\1" header "${line}")
    string(REGEX MATCH "^[^/]*" top "${header}")
    if(header MATCHES "(^|/)\\.\\.(/|$)")
      string(APPEND errors "\n  ${file}: #include \"${header}\": name a header from its layer "
             "folder (core/result.hpp), never with ..")
    elseif(top IN_LIST folders AND NOT top IN_LIST allowed)
      string(APPEND errors "\n  ${file}: #include \"${header}\": ${top} is not a layer that ${LAYER} links")
    endif()
  endforeach()
endforeach()
if(errors)
  list(JOIN allowed ", " allowed_text)
  message(FATAL_ERROR "Layer ${LAYER} includes a header it may not:${errors}\n"
    "A layer includes only its own headers and those of the layers below it that it links "
    "(${LAYER}: ${allowed_text}). The layers, lowest first, up to ${LAYER}: ${order} "
    "(framepipe_layer lines in CMakeLists.txt). Move the "
    "code to the layer where it belongs, or a shared value type down (DESIGN.md \"Layers\").")
endif()
file(TOUCH ${STAMP})
