#include "domain/reference_number.h"

#include <cctype>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace dumas {
namespace {

constexpr size_t kAlphabetSize = kCodeAlphabet.size();

// The symbols of a code in canonical form, hyphens removed.
std::string Symbols(std::string_view code) {
  std::string symbols;
  for (char c : code) {
    if (c != '-') symbols.push_back(c);
  }
  return symbols;
}

// "XXXX-XXXX-XXXX" with every X from the alphabet.
bool IsGrouped(std::string_view code, size_t symbols) {
  if (code.size() != symbols + (symbols - 1) / 4) return false;
  for (size_t i = 0; i < code.size(); ++i) {
    const bool hyphen = i % 5 == 4;
    if (hyphen ? code[i] != '-' : kCodeAlphabet.find(code[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

TEST(CodeAlphabetTest, HasNoAmbiguousSymbols) {
  EXPECT_EQ(kAlphabetSize, 31u);
  for (char c : std::string_view("01OIL")) {
    EXPECT_EQ(kCodeAlphabet.find(c), std::string_view::npos) << c;
  }
  EXPECT_EQ(std::set<char>(kCodeAlphabet.begin(), kCodeAlphabet.end()).size(), kAlphabetSize);
}

TEST(ReferenceNumberTest, GeneratesCanonicalNumbers) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string number = ReferenceNumber::Generate();
    ASSERT_TRUE(IsGrouped(number, 12)) << number;
    EXPECT_EQ(ReferenceNumber::Canonicalize(number), number);
    seen.insert(number);
  }
  EXPECT_EQ(seen.size(), 1000u);  // 31^11 values: a collision means a broken RNG
}

TEST(ReferenceNumberTest, CanonicalizesWhatPeopleType) {
  const std::string number = ReferenceNumber::Generate();
  std::string lower = number;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string symbols = Symbols(number);
  const std::string spaced = symbols.substr(0, 3) + " " + symbols.substr(3, 5) + "  " +
                             symbols.substr(8) + " ";
  for (const std::string& input : {number, lower, symbols, spaced, "-" + number + "-"}) {
    EXPECT_EQ(ReferenceNumber::Canonicalize(input), number) << input;
  }
}

TEST(ReferenceNumberTest, RejectsMalformedInput) {
  const std::string number = ReferenceNumber::Generate();
  const std::string symbols = Symbols(number);
  const std::string data = symbols.substr(0, 11);
  std::vector<std::string> inputs = {
      "",
      "----",
      data,                       // no check symbol
      symbols + "2",              // 13 symbols
      symbols.substr(1),          // 11 symbols
      number + "\n",
      number.substr(0, 4) + "_" + number.substr(5),
      number.substr(0, 4) + "\t" + number.substr(5),
      number.substr(0, 4) + "." + number.substr(5),
      number.substr(0, 4) + "\xC2\xA0" + number.substr(5),  // no-break space
  };
  // Each ambiguous or foreign character in place of a symbol.
  for (char bad : std::string_view("01OILoil!\0", 10)) {
    std::string input = symbols;
    input[5] = bad;
    inputs.push_back(input);
  }
  for (const std::string& input : inputs) {
    EXPECT_EQ(ReferenceNumber::Canonicalize(input), std::nullopt) << input;
  }
}

TEST(ReferenceNumberTest, CheckSymbolRejectsInvalidData) {
  EXPECT_EQ(ReferenceNumber::CheckSymbol(""), '\0');
  EXPECT_EQ(ReferenceNumber::CheckSymbol("2222222222"), '\0');
  EXPECT_EQ(ReferenceNumber::CheckSymbol("222222222222"), '\0');
  EXPECT_EQ(ReferenceNumber::CheckSymbol("22222O22222"), '\0');
  // All-zero data (symbol '2' has index 0) has check symbol '2'.
  EXPECT_EQ(ReferenceNumber::CheckSymbol("22222222222"), '2');
  // 1*1 = index 1 -> '3'; the last position weighs 11 -> index 11 -> 'D'.
  EXPECT_EQ(ReferenceNumber::CheckSymbol("32222222222"), '3');
  EXPECT_EQ(ReferenceNumber::CheckSymbol("22222222223"), 'D');
}

// The check symbol must catch every single-symbol typo and every swap of two
// adjacent differing symbols, the check symbol's position included. Checked
// exhaustively over many numbers, from a fixed seed so failures reproduce.
TEST(ReferenceNumberTest, CatchesEverySubstitutionAndAdjacentTransposition) {
  std::mt19937 rng(20240621);
  std::uniform_int_distribution<size_t> symbol(0, kAlphabetSize - 1);
  int substitutions = 0;
  int transpositions = 0;
  for (int n = 0; n < 2000; ++n) {
    std::string data;
    // Runs of equal symbols sometimes, so that swaps next to them are tried.
    for (int i = 0; i < 11; ++i) {
      data.push_back(n % 4 == 0 && i % 2 == 1 ? data.back() : kCodeAlphabet[symbol(rng)]);
    }
    const std::string valid = data + ReferenceNumber::CheckSymbol(data);
    ASSERT_TRUE(ReferenceNumber::Canonicalize(valid).has_value()) << valid;

    for (size_t pos = 0; pos < valid.size(); ++pos) {
      for (char replacement : kCodeAlphabet) {
        if (replacement == valid[pos]) continue;
        std::string typo = valid;
        typo[pos] = replacement;
        ASSERT_EQ(ReferenceNumber::Canonicalize(typo), std::nullopt)
            << valid << " with position " << pos << " as " << replacement;
        ++substitutions;
      }
    }
    for (size_t pos = 0; pos + 1 < valid.size(); ++pos) {
      if (valid[pos] == valid[pos + 1]) continue;
      std::string swapped = valid;
      std::swap(swapped[pos], swapped[pos + 1]);
      ASSERT_EQ(ReferenceNumber::Canonicalize(swapped), std::nullopt)
          << valid << " with positions " << pos << " and " << pos + 1 << " swapped";
      ++transpositions;
    }
  }
  EXPECT_EQ(substitutions, 2000 * 12 * 30);
  EXPECT_GT(transpositions, 2000 * 8);
}

TEST(TrackingCodeTest, GeneratesCanonicalCodes) {
  std::set<std::string> seen;
  std::set<char> symbols_used;
  for (int i = 0; i < 1000; ++i) {
    const std::string code = TrackingCode::Generate();
    ASSERT_TRUE(IsGrouped(code, 14)) << code;
    EXPECT_EQ(code.size(), 17u);  // XXXX-XXXX-XXXX-XX
    EXPECT_EQ(TrackingCode::Canonicalize(code), code);
    seen.insert(code);
    symbols_used.insert(code.begin(), code.end());
  }
  EXPECT_EQ(seen.size(), 1000u);
  // 14,000 draws miss one of 31 symbols with probability below 1e-190.
  EXPECT_EQ(symbols_used.size(), kAlphabetSize + 1);  // and '-'
}

TEST(TrackingCodeTest, CanonicalizesToTheHyphenatedForm) {
  const std::string code = TrackingCode::Generate();
  const std::string symbols = Symbols(code);
  std::string lower = symbols;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string& input :
       {code, symbols, lower, symbols.substr(0, 7) + " " + symbols.substr(7)}) {
    EXPECT_EQ(TrackingCode::Canonicalize(input), code) << input;
  }
  EXPECT_EQ(TrackingCode::Canonicalize("ABCD EFGH JKMN PQ"), "ABCD-EFGH-JKMN-PQ");
}

TEST(TrackingCodeTest, RejectsMalformedInput) {
  const std::string symbols = Symbols(TrackingCode::Generate());
  for (const std::string& input :
       {std::string(), symbols.substr(1), symbols + "2", symbols.substr(0, 13) + "O",
        symbols.substr(0, 13) + "1", symbols.substr(0, 13) + "l", symbols + "\n",
        symbols.substr(0, 6) + "/" + symbols.substr(6)}) {
    EXPECT_EQ(TrackingCode::Canonicalize(input), std::nullopt) << input;
  }
}

}  // namespace
}  // namespace dumas
