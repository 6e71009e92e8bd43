#pragma once
// decodeURIComponent over the bytes themselves, for text that already has a buffer of its own.

#include <cstddef>
#include <optional>

namespace cortado {

/// decodeURIComponent of the `size` bytes at `data`, written over them (the decoded text is
/// never longer): its size, or nullopt where decode_uri_component() gives nullopt, the bytes
/// then left in no useful state.
std::optional<std::size_t> decode_uri_component_in_place(char* data, std::size_t size);

}  // namespace cortado
