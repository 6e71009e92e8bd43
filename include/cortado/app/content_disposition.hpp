#pragma once
/// content_disposition(): the Content-Disposition header as the content-disposition package writes it.

#include <optional>
#include <string>
#include <string_view>

namespace cortado {

/// `type` alone without a filename; with one, its base name as `filename="…"`, and for a name
/// that is not printable ASCII (or holds a %XX), an ASCII fallback (each other character '?')
/// plus `filename*=UTF-8''<percent-encoded>`, as content-disposition 2.x's create() does.
std::string content_disposition(std::optional<std::string_view> filename = std::nullopt,
                                std::string_view type = "attachment");

}  // namespace cortado
