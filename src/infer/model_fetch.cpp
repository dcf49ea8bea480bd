// ModelRegistry::fetch and sha256_file: getting a model's bytes and checking them. Kept apart
// from model_registry.cpp, which reads the registry and finds files, because only this part
// talks to the network.
#include <curl/curl.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

#include "infer/model_registry.hpp"

namespace fp::infer {

namespace fs = std::filesystem;

namespace {

// Downloads `url` into `destination`; the error is curl's reason, for the caller to wrap.
Status download(const std::string& url, const fs::path& destination, double timeout_seconds) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return Error("libcurl could not start");
  FILE* file = std::fopen(destination.c_str(), "wb");
  if (file == nullptr)
    return Error("cannot write " + destination.string() + ": " + std::strerror(errno));

  char reason[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(timeout_seconds * 1000.0);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, file);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, reason);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 10L);
  // file:// serves local mirrors; a redirect must never reach the local disk.
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // Signals for DNS timeouts are unsafe with other threads running.
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "framepipe/" FRAMEPIPE_VERSION);
  const CURLcode code = curl_easy_perform(curl.get());
  const bool closed = std::fclose(file) == 0;

  if (code != CURLE_OK) {
    std::string message = reason[0] != '\0' ? reason : curl_easy_strerror(code);
    if (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
        code == CURLE_COULDNT_CONNECT || code == CURLE_OPERATION_TIMEDOUT) {
      message += " (no network?)";
    }
    return Error(message);
  }
  if (!closed) return Error("cannot write " + destination.string() + ": " + std::strerror(errno));
  return ok_status();
}

}  // namespace

Status ModelRegistry::fetch(const ModelSpec& spec, double timeout_seconds) const {
  const fs::path target = cache_dir() / spec.file;
  if (spec.url.empty()) {
    return Error("model '" + spec.name + "' has no official download. Get the file as its " +
                 "source says (" + spec.source + ") and put it in " + target.string() +
                 ", or set FRAMEPIPE_MODELS to a folder that holds " + spec.file + ".");
  }
  if (!(timeout_seconds > 0)) return Error("the download timeout must be more than 0 seconds");
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) return Error("cannot create " + target.parent_path().string() + ": " + ec.message());

  // Downloads go to a temporary name so a cut-off transfer never looks like a model file.
  fs::path partial = target;
  partial += ".partial";
  const auto discard = [&partial](Error error) -> Status {
    std::error_code ignored;
    fs::remove(partial, ignored);
    return error;
  };
  if (Status got = download(spec.url, partial, timeout_seconds); !got.ok()) {
    return discard(Error("could not download '" + spec.name + "' from " + spec.url + ": " +
                         got.error().message() + ". Download it by hand and put it in " +
                         target.string() + ", or set FRAMEPIPE_MODELS to a folder that holds " +
                         spec.file + "."));
  }
  Result<std::string> actual = sha256_file(partial);
  if (!actual.ok()) return discard(actual.error());
  if (spec.sha256.empty()) {
    spdlog::warn(
        "downloaded '{}' cannot be verified: the registry has no sha256 for it (the "
        "file's is {}; add it to the registry once you trust the file)",
        spec.name, *actual);
  } else if (*actual != spec.sha256) {
    return discard(Error("downloaded '" + spec.name + "' from " + spec.url + " but its sha256 is " +
                         *actual + ", not " + spec.sha256 + " as the registry expects; the file " +
                         "at that address changed or the download was altered. Nothing was kept."));
  }
  fs::rename(partial, target, ec);
  if (ec) return discard(Error("cannot move " + partial.string() + " into place: " + ec.message()));
  return ok_status();
}

Result<std::string> sha256_file(const fs::path& path) {
  struct FileCloser {
    void operator()(FILE* file) const { std::fclose(file); }
  };
  std::unique_ptr<FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Error("cannot read " + path.string() + ": " + std::strerror(errno));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1) {
    return Error("OpenSSL could not start a sha256 digest");
  }
  // Model files reach hundreds of MB: hash in fixed chunks instead of reading them whole.
  std::vector<unsigned char> chunk(1 << 20);
  size_t count = 0;
  while ((count = std::fread(chunk.data(), 1, chunk.size(), file.get())) > 0) {
    EVP_DigestUpdate(context.get(), chunk.data(), count);
  }
  if (std::ferror(file.get())) return Error("cannot read " + path.string() + ": read error");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), digest, &length);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace fp::infer
