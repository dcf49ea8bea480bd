# ONNX Runtime as the imported target onnxruntime::onnxruntime (README.md "ONNX Runtime").
#
# Where: the cache variable ONNXRUNTIME_ROOT, else the environment variable of that name, else the
# NuGet package that scripts/install-deps fetches into .cache/nuget. Two layouts are accepted: the
# NuGet package (build/native/include, runtimes/<rid>/native) and an official release archive
# unpacked (include, lib). Anything missing or broken stops the configure with what to do.
set(FRAMEPIPE_ONNXRUNTIME_VERSION 1.31.1)
set(ONNXRUNTIME_ROOT "" CACHE PATH
  "ONNX Runtime folder: the NuGet package or an unpacked release (empty: \$ENV{ONNXRUNTIME_ROOT}, else .cache/nuget)")

if(ONNXRUNTIME_ROOT)
  set(_ort_root "${ONNXRUNTIME_ROOT}")
  set(_ort_from "the CMake variable ONNXRUNTIME_ROOT")
elseif(NOT "$ENV{ONNXRUNTIME_ROOT}" STREQUAL "")
  set(_ort_root "$ENV{ONNXRUNTIME_ROOT}")
  set(_ort_from "the environment variable ONNXRUNTIME_ROOT")
else()
  set(_ort_root
    "${CMAKE_CURRENT_LIST_DIR}/../.cache/nuget/microsoft.ml.onnxruntime/${FRAMEPIPE_ONNXRUNTIME_VERSION}")
  set(_ort_from "the default place scripts/install-deps fetches it to")
endif()
set(_ort_help "Run scripts/install-deps (it fetches Microsoft.ML.OnnxRuntime \
${FRAMEPIPE_ONNXRUNTIME_VERSION} with the .NET SDK's dotnet), or set ONNXRUNTIME_ROOT (-D or \
environment) to an unpacked official ONNX Runtime release (include/ and lib/) or NuGet package.")

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(_ort_rid linux-arm64)
else()
  set(_ort_rid linux-x64)
endif()
if(EXISTS "${_ort_root}/build/native/include/onnxruntime_c_api.h")
  set(_ort_include "${_ort_root}/build/native/include")
  set(_ort_lib_dir "${_ort_root}/runtimes/${_ort_rid}/native")
elseif(EXISTS "${_ort_root}/include/onnxruntime_c_api.h")
  set(_ort_include "${_ort_root}/include")
  set(_ort_lib_dir "${_ort_root}/lib")
elseif(EXISTS "${_ort_root}/include/onnxruntime/onnxruntime_c_api.h")
  set(_ort_include "${_ort_root}/include/onnxruntime")  # what a source build installs
  set(_ort_lib_dir "${_ort_root}/lib")
else()
  message(FATAL_ERROR "ONNX Runtime not found in ${_ort_root} (from ${_ort_from}): no \
onnxruntime_c_api.h under build/native/include or include. ${_ort_help}")
endif()
set(_ort_lib "${_ort_lib_dir}/libonnxruntime.so")
if(NOT EXISTS "${_ort_lib}")
  message(FATAL_ERROR "ONNX Runtime in ${_ort_root} has headers but no ${_ort_lib}. ${_ort_help}")
endif()
# Linked programs ask for the soname; the NuGet package ships the file under its plain name only
# (scripts/fetch-onnxruntime adds the link to its copy).
if(NOT EXISTS "${_ort_lib_dir}/libonnxruntime.so.1")
  message(FATAL_ERROR "ONNX Runtime in ${_ort_root}: ${_ort_lib_dir} lacks libonnxruntime.so.1, \
the name programs load it by. Create it: ln -s libonnxruntime.so ${_ort_lib_dir}/libonnxruntime.so.1")
endif()

# Headers and library must load and agree (a truncated .so, or headers newer than the library, fail
# here rather than at the first inference). Checked again only when the library file changes.
file(TIMESTAMP "${_ort_lib}" _ort_stamp "%s" UTC)
set(_ort_check_key "${_ort_include};${_ort_lib};${_ort_stamp}")
if(NOT _FRAMEPIPE_ORT_CHECKED STREQUAL _ort_check_key)
  set(_ort_check_dir "${CMAKE_BINARY_DIR}/onnxruntime-check")
  file(WRITE "${_ort_check_dir}/check.cpp" [=[
#include <onnxruntime_c_api.h>
#include <cstdio>
int main() {
  const OrtApiBase* base = OrtGetApiBase();
  std::printf("%s", base->GetVersionString());
  return base->GetApi(ORT_API_VERSION) != nullptr ? 0 : 1;
}
]=])
  try_run(_ort_run _ort_compiled "${_ort_check_dir}/build" "${_ort_check_dir}/check.cpp"
    CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${_ort_include}" "-DCMAKE_BUILD_RPATH=${_ort_lib_dir}"
    LINK_LIBRARIES "${_ort_lib}"
    COMPILE_OUTPUT_VARIABLE _ort_compile_out
    RUN_OUTPUT_VARIABLE _ort_version)
  if(NOT _ort_compiled)
    message(FATAL_ERROR "ONNX Runtime in ${_ort_root}: a program using its C API does not build \
and link:\n${_ort_compile_out}\n${_ort_help}")
  endif()
  if(NOT _ort_run EQUAL 0)
    message(FATAL_ERROR "ONNX Runtime in ${_ort_root}: ${_ort_lib} does not load or is older than \
its headers (exit ${_ort_run}, version '${_ort_version}'). ${_ort_help}")
  endif()
  set(FRAMEPIPE_ONNXRUNTIME_FOUND_VERSION "${_ort_version}" CACHE INTERNAL "")
  set(_FRAMEPIPE_ORT_CHECKED "${_ort_check_key}" CACHE INTERNAL "")
endif()
if(NOT FRAMEPIPE_ONNXRUNTIME_FOUND_VERSION STREQUAL FRAMEPIPE_ONNXRUNTIME_VERSION)
  message(WARNING "ONNX Runtime ${FRAMEPIPE_ONNXRUNTIME_FOUND_VERSION} in ${_ort_root}; framepipe \
is tested with ${FRAMEPIPE_ONNXRUNTIME_VERSION}.")
endif()
message(STATUS "ONNX Runtime ${FRAMEPIPE_ONNXRUNTIME_FOUND_VERSION}: ${_ort_lib}")

# The build tree's programs (framepipe, tests, benchmarks) find the library through their RPATH,
# which CMake sets from the imported location's folder; no LD_LIBRARY_PATH is needed.
add_library(onnxruntime::onnxruntime SHARED IMPORTED)
set_target_properties(onnxruntime::onnxruntime PROPERTIES
  IMPORTED_LOCATION "${_ort_lib}"
  INTERFACE_INCLUDE_DIRECTORIES "${_ort_include}")
