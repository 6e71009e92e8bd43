#pragma once
/// Content types by file extension, as the mime-types package Express uses names them.

#include <string>
#include <string_view>

namespace cortado {

/// The media type for an extension or a file name ("json", ".png", "a/b.css"); "" if unknown.
std::string_view mime_type(std::string_view extension_or_name);

/// What Content-Type becomes for `type` (Express's res.type): a short name is looked up, and
/// text, JSON and JavaScript types get "; charset=utf-8". A type containing '/' is kept as is.
std::string content_type_for(std::string_view type);

}  // namespace cortado
