#include "cortado/core/metrics.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace cortado {

namespace detail {
std::size_t allocate_slots(std::size_t count);
}

namespace {

bool valid_name(std::string_view name, bool colon_allowed) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_allowed && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// A sample value as Prometheus reads it: integers without a fraction, the rest in the shortest
// form that reads back the same, and the special values by their names.
void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
}

void append_labels(std::string& out, const std::vector<std::string>& names, const std::vector<std::string>& values,
                   std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!first) out += ',';
    first = false;
    out += names[i];
    out += "=\"";
    append_escaped(out, values[i], true);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

}  // namespace

double Histogram::count() const {
  double total = 0;
  for (std::size_t i = 0; i <= bounds_->size(); ++i) total += detail::sum_of_cell(slot_ + i);
  return total;
}

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Family& MetricsRegistry::family(Family::Kind kind, std::string_view name, std::string_view help,
                                                 std::vector<std::string> label_names, std::vector<double> bounds) {
  if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name: " + std::string(name));
  for (const auto& label : label_names)
    if (!valid_name(label, false) || label.starts_with("__") || (kind == Family::Kind::histogram && label == "le"))
      throw std::invalid_argument("invalid label name for " + std::string(name) + ": " + label);
  for (std::size_t i = 1; i < bounds.size(); ++i)
    if (!(bounds[i - 1] < bounds[i])) throw std::invalid_argument("histogram bounds must ascend: " + std::string(name));
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    Family& f = *it->second;
    if (f.kind_ != kind || f.label_names_ != label_names || f.bounds_ != bounds)
      throw std::invalid_argument("metric " + std::string(name) + " already registered differently");
    return f;
  }
  auto made = std::make_unique<Family>();
  made->registry_ = this;
  made->kind_ = kind;
  made->name_ = name;
  made->help_ = help;
  made->label_names_ = std::move(label_names);
  made->bounds_ = std::move(bounds);
  Family& f = *made;
  families_.emplace(std::string(name), std::move(made));
  return f;
}

MetricsRegistry::Family& MetricsRegistry::counter_family(std::string_view name, std::string_view help,
                                                         std::vector<std::string> label_names) {
  return family(Family::Kind::counter, name, help, std::move(label_names), {});
}

MetricsRegistry::Family& MetricsRegistry::gauge_family(std::string_view name, std::string_view help,
                                                       std::vector<std::string> label_names) {
  return family(Family::Kind::gauge, name, help, std::move(label_names), {});
}

MetricsRegistry::Family& MetricsRegistry::histogram_family(std::string_view name, std::string_view help,
                                                           std::vector<std::string> label_names,
                                                           std::vector<double> bounds) {
  return family(Family::Kind::histogram, name, help, std::move(label_names), std::move(bounds));
}

std::size_t MetricsRegistry::Family::slot_for(Kind kind, std::span<const std::string_view> label_values) {
  if (kind != kind_) throw std::invalid_argument("metric " + name_ + " is of another kind");
  if (label_values.size() != label_names_.size())
    throw std::invalid_argument("metric " + name_ + " takes " + std::to_string(label_names_.size()) + " label values");
  std::vector<std::string> key(label_values.begin(), label_values.end());
  std::lock_guard lock(registry_->mutex_);
  auto it = children_.find(key);
  if (it != children_.end()) return it->second;
  // A histogram: a cell per bucket (+Inf included) and one for the sum.
  std::size_t cells = kind_ == Kind::histogram ? bounds_.size() + 2 : 1;
  std::size_t slot = detail::allocate_slots(cells);
  children_.emplace(std::move(key), slot);
  return slot;
}

Counter MetricsRegistry::Family::counter(std::span<const std::string_view> label_values) {
  return Counter(slot_for(Kind::counter, label_values));
}

Gauge MetricsRegistry::Family::gauge(std::span<const std::string_view> label_values) {
  return Gauge(slot_for(Kind::gauge, label_values));
}

Histogram MetricsRegistry::Family::histogram(std::span<const std::string_view> label_values) {
  return Histogram(slot_for(Kind::histogram, label_values), &bounds_);
}

MetricsRegistry::CallbackHandle MetricsRegistry::gauge_callback(Family& family, std::vector<std::string> label_values,
                                                                std::function<double()> read) {
  if (family.kind_ != Family::Kind::gauge) throw std::invalid_argument("metric " + family.name_ + " is not a gauge");
  if (label_values.size() != family.label_names_.size())
    throw std::invalid_argument("metric " + family.name_ + " takes " + std::to_string(family.label_names_.size()) +
                                " label values");
  std::lock_guard lock(mutex_);
  std::size_t id = next_callback_id_++;
  family.callbacks_.emplace_back(std::move(label_values), std::move(read));
  family.callback_ids_.push_back(id);
  return CallbackHandle(this, &family, id);
}

MetricsRegistry::CallbackHandle& MetricsRegistry::CallbackHandle::operator=(CallbackHandle&& other) noexcept {
  if (this != &other) {
    this->~CallbackHandle();
    registry_ = std::exchange(other.registry_, nullptr);
    family_ = std::exchange(other.family_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

MetricsRegistry::CallbackHandle::~CallbackHandle() {
  if (!registry_) return;
  std::lock_guard lock(registry_->mutex_);
  auto& ids = family_->callback_ids_;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] != id_) continue;
    ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(i));
    family_->callbacks_.erase(family_->callbacks_.begin() + static_cast<std::ptrdiff_t>(i));
    break;
  }
  registry_ = nullptr;
}

std::string MetricsRegistry::expose() const {
  mark_read();
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped(out, f->help_, false);
    out += "\n# TYPE ";
    out += name;
    out += f->kind_ == Family::Kind::counter ? " counter\n" : f->kind_ == Family::Kind::gauge ? " gauge\n" : " histogram\n";
    if (f->kind_ == Family::Kind::histogram) {
      for (const auto& [labels, slot] : f->children_) {
        double cumulative = 0;
        for (std::size_t i = 0; i <= f->bounds_.size(); ++i) {
          cumulative += detail::sum_of_cell(slot + i);
          std::string le;
          if (i < f->bounds_.size()) append_number(le, f->bounds_[i]);
          else le = "+Inf";
          out += name;
          out += "_bucket";
          append_labels(out, f->label_names_, labels, "le", le);
          out += ' ';
          append_number(out, cumulative);
          out += '\n';
        }
        out += name;
        out += "_sum";
        append_labels(out, f->label_names_, labels);
        out += ' ';
        append_number(out, detail::sum_of_cell(slot + f->bounds_.size() + 1));
        out += '\n';
        out += name;
        out += "_count";
        append_labels(out, f->label_names_, labels);
        out += ' ';
        append_number(out, cumulative);
        out += '\n';
      }
      continue;
    }
    // Cells and callbacks with the same label values are one sample (two memory stores, say).
    std::map<std::vector<std::string>, double> samples;
    for (const auto& [labels, slot] : f->children_) samples[labels] += detail::sum_of_cell(slot);
    for (const auto& [labels, read] : f->callbacks_) {
      double v = 0;
      try {
        v = read();
      } catch (...) {
        v = std::nan("");  // a gauge that cannot be read says so rather than failing the scrape
      }
      samples[labels] += v;
    }
    for (const auto& [labels, value] : samples) {
      out += name;
      append_labels(out, f->label_names_, labels);
      out += ' ';
      append_number(out, value);
      out += '\n';
    }
  }
  return out;
}

MetricsRegistry& metrics_registry() {
  // Never destroyed: threads and stores may still count while static destructors run.
  static MetricsRegistry* registry = new MetricsRegistry;
  return *registry;
}

}  // namespace cortado
