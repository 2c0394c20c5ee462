#include "diag/suggest.h"

#include <algorithm>

namespace vc {

namespace {

// Optimal string alignment distance (Damerau-Levenshtein without repeated edits of a substring).
size_t editDistance(const std::string& a, const std::string& b) {
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

}  // namespace

std::string closestName(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.empty() || word.size() > 200) return {};
  std::string best;
  size_t bestDist = std::max<size_t>(1, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    if (c == word || c.size() > 200) continue;
    size_t dist = editDistance(word, c);
    if (dist < bestDist) {
      bestDist = dist;
      best = c;
    }
  }
  if (!best.empty()) return best;
  for (const auto& c : candidates)
    if (word.size() >= 3 && c.size() > word.size() && c.compare(0, word.size(), word) == 0) return c;
  return {};
}

std::string didYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string c = closestName(word, candidates);
  return c.empty() ? std::string() : " (did you mean '" + c + "'?)";
}

}  // namespace vc
