#include "telemetry/prometheus_text.hpp"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fp::telemetry {
namespace {

// One sample line of the text format: NAME{LABEL="VALUE",...} NUMBER, label values unescaped.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

// Parses the exposition text as Prometheus does, failing the test on a line it cannot read.
struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter | gauge | summary
  std::vector<Sample> samples;

  explicit Exposition(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("# TYPE ", 0) == 0) {
        std::istringstream words(line.substr(7));
        std::string family, type;
        words >> family >> type;
        types[family] = type;
      } else if (!line.empty() && line[0] != '#') {
        samples.push_back(parse(line));
      }
    }
  }

  static Sample parse(const std::string& line) {
    Sample s;
    size_t i = line.find_first_of("{ ");
    s.name = line.substr(0, i);
    EXPECT_FALSE(s.name.empty()) << line;
    if (i != std::string::npos && line[i] == '{') {
      ++i;
      while (line[i] != '}') {
        const size_t eq = line.find("=\"", i);
        const std::string key = line.substr(i, eq - i);
        std::string value;
        for (i = eq + 2; line[i] != '"'; ++i) {
          if (line[i] == '\\')
            value += line[++i] == 'n' ? '\n' : line[i];
          else
            value += line[i];
        }
        s.labels[key] = value;
        ++i;
        if (line[i] == ',') ++i;
      }
      ++i;
    }
    EXPECT_EQ(line[i], ' ') << line;
    s.value = std::stod(line.substr(i + 1));
    return s;
  }

  // The one sample of `name` with these labels; fails the test when there is not exactly one.
  double value(const std::string& name, const std::map<std::string, std::string>& labels) const {
    std::vector<double> found;
    for (const Sample& s : samples) {
      if (s.name == name && s.labels == labels) found.push_back(s.value);
    }
    EXPECT_EQ(found.size(), 1u) << name;
    return found.empty() ? -1 : found.front();
  }
};

TEST(PrometheusText, ParsesWithTheNamesLabelsAndValuesRecorded) {
  MetricsRegistry registry;
  registry.counter("framepipe_frames_total", {{"stream", "0"}, {"outcome", "processed"}}, "Rows")
      .add(42);
  registry.counter("framepipe_frames_total", {{"stream", "1"}, {"outcome", "processed"}}, "Rows")
      .add(7);
  registry.gauge("framepipe_queue_depth", {{"queue", "decoded"}}, "Items now").set(3);
  Latency& detect =
      registry.latency("framepipe_stage_latency", {{"stage", "de\"tect\\\n"}}, "Stage time", 2);
  detect.record(1000.0, 0);  // warm-up
  for (int i = 0; i < 10; ++i) detect.record(20.0, 2 + i);

  const Exposition text(to_prometheus_text(registry));
  EXPECT_EQ(text.types.at("framepipe_frames_total"), "counter");
  EXPECT_EQ(text.types.at("framepipe_queue_depth"), "gauge");
  EXPECT_EQ(text.types.at("framepipe_stage_latency_seconds"), "summary");
  EXPECT_EQ(text.value("framepipe_frames_total", {{"stream", "0"}, {"outcome", "processed"}}), 42);
  EXPECT_EQ(text.value("framepipe_frames_total", {{"stream", "1"}, {"outcome", "processed"}}), 7);
  EXPECT_EQ(text.value("framepipe_queue_depth", {{"queue", "decoded"}}), 3);

  const std::string stage = "de\"tect\\\n";  // escaped in the text, whole again once parsed
  EXPECT_EQ(
      text.value("framepipe_stage_latency_seconds_count", {{"stage", stage}, {"phase", "steady"}}),
      10);
  EXPECT_NEAR(
      text.value("framepipe_stage_latency_seconds_sum", {{"stage", stage}, {"phase", "steady"}}),
      0.2, 1e-9);
  EXPECT_NEAR(text.value("framepipe_stage_latency_seconds",
                         {{"stage", stage}, {"phase", "steady"}, {"quantile", "0.9"}}),
              0.02, 1e-9);
  EXPECT_EQ(
      text.value("framepipe_stage_latency_seconds_count", {{"stage", stage}, {"phase", "warmup"}}),
      1);
  EXPECT_NEAR(text.value("framepipe_stage_latency_seconds",
                         {{"stage", stage}, {"phase", "warmup"}, {"quantile", "0.99"}}),
              1.0, 1e-9);
}

}  // namespace
}  // namespace fp::telemetry
