# The libraries framepipe links, from Debian's archive and NuGet (scripts/install-deps), in one
# interface target. In the main build every layer links it (cmake/framepipe_layers.cmake); the fuzz
# build (tests/fuzz) links the main build's libframepipe_lib.a with it.
find_package(Threads REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs dnn)
find_package(PkgConfig REQUIRED)
pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswscale)
# libwebp: the WebP header check OpenCV's decoder makes (media/image_header.cpp)
pkg_check_modules(WEBP REQUIRED IMPORTED_TARGET libwebp)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(CURL REQUIRED)
find_package(TBB REQUIRED)
find_package(JPEG REQUIRED)
find_package(prometheus-cpp REQUIRED)  # its core: the text format of the live metrics
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # framepipe serve's HTTP
find_package(SQLite3 REQUIRED)  # framepipe serve's job store
include(${CMAKE_CURRENT_LIST_DIR}/onnxruntime.cmake)  # not in Debian: scripts/install-deps fetches it

add_library(framepipe_dependencies INTERFACE)
target_link_libraries(framepipe_dependencies INTERFACE
  ${OpenCV_LIBS} PkgConfig::FFMPEG PkgConfig::WEBP yaml-cpp nlohmann_json::nlohmann_json CLI11::CLI11
  spdlog::spdlog OpenSSL::Crypto CURL::libcurl TBB::tbb JPEG::JPEG onnxruntime::onnxruntime
  prometheus-cpp::core PkgConfig::HTTPLIB SQLite::SQLite3 Threads::Threads)
