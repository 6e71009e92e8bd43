#pragma once
// Questions about all the bytes of a machine word at once, for text scanned eight (or four) bytes
// at a time: a word that passes is skipped whole, one that does not is looked at byte by byte.
// The bit tricks answer for the word as a whole exactly; which byte it was, they do not tell.

#include <cstdint>
#include <cstring>

namespace cortado::text {

/// `b` in every byte of a Word.
template <class Word>
constexpr Word in_every_byte(unsigned char b) {
  return static_cast<Word>(static_cast<Word>(0x0101010101010101ULL) * b);
}

/// Whether some byte of `w` is below `n` (n from 1 to 128).
template <class Word>
constexpr bool has_byte_below(Word w, unsigned char n) {
  return static_cast<Word>((w - in_every_byte<Word>(n)) & ~w & in_every_byte<Word>(0x80)) != 0;
}

/// Whether some byte of `w` is `b`.
template <class Word>
constexpr bool has_byte(Word w, unsigned char b) {
  return has_byte_below<Word>(static_cast<Word>(w ^ in_every_byte<Word>(b)), 1);
}

/// Whether some byte of `w` is 0x80 or above (not ASCII).
template <class Word>
constexpr bool has_high_byte(Word w) {
  return (w & in_every_byte<Word>(0x80)) != 0;
}

/// The eight bytes at `p`, in memory order, as one word.
inline std::uint64_t load_word(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

}  // namespace cortado::text
