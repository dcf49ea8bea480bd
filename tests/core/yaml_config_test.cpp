// Checked YAML reading (issue 10, "config mistakes caught"): values that would slip past every
// range check (.nan, .inf), integers out of range and keys written twice are Errors that say where
// and what to write instead.
#include "core/yaml_config.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "test_support.hpp"

namespace fp {
namespace {

namespace fs = std::filesystem;

// The mapping `m` of a file holding `yaml`, as a stage would read it.
class YamlConfigTest : public ::testing::Test {
 protected:
  YamlMap load(const std::string& yaml) {
    test::write_file(dir_ / "t.yaml", yaml);
    auto root = load_yaml_file((dir_ / "t.yaml").string());
    EXPECT_TRUE(root.ok()) << root.error().message();
    auto top = YamlMap::from(*root, (dir_ / "t.yaml").string(), "the file");
    EXPECT_TRUE(top.ok()) << top.error().message();
    auto m = top->map("m", "m");
    EXPECT_TRUE(m.ok()) << m.error().message();
    return *m;
  }
  Status load_error(const std::string& yaml) {
    test::write_file(dir_ / "t.yaml", yaml);
    auto root = load_yaml_file((dir_ / "t.yaml").string());
    if (root.ok()) return ok_status();
    return root.error();
  }
  test::TempDir dir_;
};

void expect_error(const Status& status, const std::string& expected) {
  ASSERT_FALSE(status.ok()) << "expected: " << expected;
  EXPECT_NE(status.error().message().find(expected), std::string::npos) << status.error().message();
}

TEST_F(YamlConfigTest, NonFiniteNumbersAreRefusedInEverySpelling) {
  for (const std::string spelling :
       {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "-.inf", "-.INF"}) {
    const YamlMap m = load("m:\n  x: " + spelling + "\n  xs: [1, " + spelling + "]\n");
    const std::string scalar = "t.yaml:2:6: 'x' in m must be a finite number (got '" + spelling;
    double d = 0.5;
    expect_error(m.read("x", d), scalar);
    EXPECT_EQ(d, 0.5) << "left unchanged";
    float f = 0.5f;
    expect_error(m.read("x", f), scalar);
    EXPECT_EQ(f, 0.5f);
    std::vector<double> list = {7};
    expect_error(m.read("xs", list),
                 "t.yaml:3:11: items of 'xs' in m must each be a finite number (got '" + spelling);
    EXPECT_EQ(list, std::vector<double>{7});
  }
}

TEST_F(YamlConfigTest, FiniteNumbersStillRead) {
  const YamlMap m = load("m: {x: -1.5e3, f: 0.25, xs: [0, 1.5, -2]}\n");
  double d = 0;
  ASSERT_TRUE(m.read("x", d).ok());
  EXPECT_EQ(d, -1500);
  float f = 0;
  ASSERT_TRUE(m.read("f", f).ok());
  EXPECT_EQ(f, 0.25f);
  std::vector<double> list;
  ASSERT_TRUE(m.read("xs", list).ok());
  EXPECT_EQ(list, (std::vector<double>{0, 1.5, -2}));
}

TEST_F(YamlConfigTest, IntegerOutOfRangeGivesTheRange) {
  const YamlMap m = load(
      "m:\n  n: 1000000000000\n  big: 100000000000000000000\n  word: two\n"
      "  ns: [416, 99999999999]\n  neg: -3000000000\n");
  int n = 3;
  expect_error(m.read("n", n),
               "t.yaml:2:6: 'n' in m must be an integer from -2147483648 to 2147483647 (got "
               "'1000000000000')");
  EXPECT_EQ(n, 3);
  expect_error(m.read("neg", n), "must be an integer from -2147483648 to 2147483647");
  int64_t wide = 0;
  ASSERT_TRUE(m.read("n", wide).ok());
  EXPECT_EQ(wide, 1000000000000);
  expect_error(m.read("big", wide),
               "'big' in m must be an integer from -9223372036854775808 to 9223372036854775807");
  expect_error(m.read("word", n), "t.yaml:4:9: 'word' in m must be an integer (got 'two')");
  std::vector<int> list;
  expect_error(m.read("ns", list),
               "t.yaml:5:13: items of 'ns' in m must each be an integer from -2147483648 to "
               "2147483647 (got '99999999999')");
}

TEST_F(YamlConfigTest, PointsAreTwoFiniteNumbersEachAndErrorsPointAtTheBadOne) {
  const YamlMap m = load(
      "m:\n  ok: [[0, 300], [640.5, -2]]\n  three: [[1, 2], [1, 2, 3]]\n"
      "  word: [[1, 2], [1, x]]\n  flat: [1, 2]\n  nan: [[.nan, 1]]\n");
  std::vector<std::array<double, 2>> points;
  ASSERT_TRUE(m.read("ok", points).ok());
  EXPECT_EQ(points, (std::vector<std::array<double, 2>>{{0, 300}, {640.5, -2}}));
  const std::string each = "' in m must each be a point [x, y] of two numbers";
  expect_error(m.read("three", points), "t.yaml:3:19: items of 'three" + each);
  expect_error(m.read("word", points), "t.yaml:4:18: items of 'word" + each);
  expect_error(m.read("flat", points), "t.yaml:5:10: items of 'flat" + each + " (got '1')");
  expect_error(m.read("nan", points), "t.yaml:6:9: items of 'nan" + each);
  EXPECT_TRUE(m.read("missing", points).ok());
  EXPECT_EQ(points.size(), 2u) << "left unchanged";
}

TEST_F(YamlConfigTest, DuplicateKeyNamesBothPlaces) {
  expect_error(load_error("name: a\nsource: {}\nname: b\n"),
               "t.yaml:3:1: duplicate key 'name' at the top level (first at line 1)");
  expect_error(load_error("name: x\nsource:\n  queue: 4\n  stride: 1\n  queue: 16\n"),
               "t.yaml:5:3: duplicate key 'queue' in source (first at line 3)");
  // Inside lists and flow mappings too.
  expect_error(load_error("stages:\n  - track: {}\n  - detect:\n      model: a\n"
                          "      conf: 0.3\n      model: b\n"),
               "t.yaml:6:7: duplicate key 'model' in stages[1].detect (first at line 4)");
  expect_error(load_error("m: {a: 1, b: 2, a: 3}\n"),
               "t.yaml:1:17: duplicate key 'a' in m (first at line 1)");
  // The same key in different mappings is fine.
  EXPECT_TRUE(load_error("a: {x: 1}\nb: {x: 1}\nc: [{x: 1}, {x: 2}]\n").ok());
}

TEST_F(YamlConfigTest, ShippedConfigsHaveNoDuplicateKeys) {
  std::vector<fs::path> files = {test::source_dir() / "models/registry.yaml"};
  for (const auto& entry : fs::directory_iterator(test::source_dir() / "examples")) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  ASSERT_GT(files.size(), 1u);
  for (const fs::path& file : files) {
    auto root = load_yaml_file(file.string());
    EXPECT_TRUE(root.ok()) << file << ": " << root.error().message();
  }
}

}  // namespace
}  // namespace fp
