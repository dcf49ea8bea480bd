// Gallery: known people, each with one or more reference embeddings, to name the faces found.
//
// The references are stored L2-normalised, so similarities are cosines. Loading a gallery folder
// (detecting, aligning and embedding its photos) needs the models and happens elsewhere.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/result.hpp"
#include "faces/embedding.hpp"

namespace fp::faces {

struct GalleryMatch {
  std::string person;
  double similarity = 0;  // the best cosine similarity over that person's references
};

class Gallery {
 public:
  // Adds a reference embedding for `person` (a new person on their first reference). An Error
  // when the name is empty, the embedding cannot be normalised (zero or not finite), or its length
  // differs from the references already held (embeddings of another model).
  Status add(const std::string& person, Embedding e);

  // The person most similar to `query`, a person's similarity being the maximum over their
  // references; std::nullopt when the gallery is empty, the best similarity is below `threshold`,
  // or `query` cannot be normalised. A tie goes to the person added first. A query whose length
  // differs from the references throws std::invalid_argument (see cosine_similarity()).
  std::optional<GalleryMatch> best_match(const Embedding& query, double threshold) const;

  size_t size() const { return people_.size(); }  // people, not references
  // The people's names, in the order they were first added.
  std::vector<std::string> people() const;

 private:
  struct Person {
    std::string name;
    std::vector<Embedding> references;  // L2-normalised
  };
  std::vector<Person> people_;
  std::unordered_map<std::string, size_t> index_;  // name -> position in people_
};

}  // namespace fp::faces
