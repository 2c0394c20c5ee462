// "Did you mean": the closest of a set of names to a misspelt one.
#pragma once

#include <string>
#include <vector>

namespace vc {

// The candidate nearest to `word` by edit distance (a transposition counts as one edit), if it is
// near enough to be a likely typo (at most a third of the word's length, at least 1, differs); or
// a candidate that `word` is a prefix of. Empty if none. Ties go to the first candidate.
std::string closestName(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'X'?)" or "".
std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace vc
