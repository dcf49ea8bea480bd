#include "core/attribute.hpp"

#include <gtest/gtest.h>

namespace fp {
namespace {

TEST(Attribute, FindGivesTheAttributeOfThatNameAndKindOnly) {
  std::vector<Attribute> attributes{{"age", 31.0},
                                    {"gender", AttributeLabel{"female", 0.9f}},
                                    {"embedding", std::vector<float>{0.6f, 0.8f}}};
  ASSERT_NE(find_number(attributes, "age"), nullptr);
  EXPECT_EQ(*find_number(attributes, "age"), 31.0);
  ASSERT_NE(find_label(attributes, "gender"), nullptr);
  EXPECT_EQ(find_label(attributes, "gender")->label, "female");
  ASSERT_NE(find_vector(attributes, "embedding"), nullptr);
  EXPECT_EQ(find_vector(attributes, "embedding")->size(), 2u);
  EXPECT_EQ(find_number(attributes, "gender"), nullptr);  // a label, not a number
  EXPECT_EQ(find_label(attributes, "emotion"), nullptr);
  EXPECT_TRUE(has_attribute(attributes, "gender"));
  EXPECT_FALSE(has_attribute(attributes, "emotion"));
}

TEST(Attribute, SetReplacesTheValueInPlaceOrAppends) {
  std::vector<Attribute> attributes{{"age", 31.0}, {"gender", AttributeLabel{"male", 0.6f}}};
  set_attribute(attributes, "age", AttributeLabel{"adult", 1});
  set_attribute(attributes, "quality", 0.5);
  ASSERT_EQ(attributes.size(), 3u);
  EXPECT_EQ(attributes[0].name, "age");
  EXPECT_EQ(find_label(attributes, "age")->label, "adult");
  EXPECT_EQ(find_number(attributes, "age"), nullptr);
  EXPECT_EQ(attributes[2].name, "quality");
  EXPECT_EQ(*find_number(attributes, "quality"), 0.5);
}

}  // namespace
}  // namespace fp
