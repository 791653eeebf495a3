#include "events.h"

#include <charconv>

namespace queue_demo::demo {
namespace {

// ValueStart returns the position just after `"name":`, or npos.
std::size_t ValueStart(std::string_view json, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":";
  const std::size_t at = json.find(key);
  return at == std::string_view::npos ? at : at + key.size();
}

}  // namespace

std::optional<std::string> JsonStringField(std::string_view json, std::string_view name) {
  const std::size_t start = ValueStart(json, name);
  if (start == std::string_view::npos || start >= json.size() || json[start] != '"') {
    return std::nullopt;
  }
  const std::size_t end = json.find('"', start + 1);
  if (end == std::string_view::npos) return std::nullopt;
  return std::string(json.substr(start + 1, end - start - 1));
}

std::optional<std::int64_t> JsonIntegerField(std::string_view json, std::string_view name) {
  const std::size_t start = ValueStart(json, name);
  if (start == std::string_view::npos) return std::nullopt;
  std::int64_t value = 0;
  const char* first = json.data() + start;
  const char* last = json.data() + json.size();
  auto [stop, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || stop == first) return std::nullopt;
  return value;
}

std::optional<OrderPlaced> ParseOrderPlaced(std::string_view json) {
  OrderPlaced order;
  std::optional<std::string> order_id = JsonStringField(json, "order_id");
  std::optional<std::string> customer_id = JsonStringField(json, "customer_id");
  std::optional<std::int64_t> amount = JsonIntegerField(json, "amount_cents");
  if (!order_id || order_id->empty() || !customer_id || !amount || *amount <= 0) {
    return std::nullopt;
  }
  order.order_id = *order_id;
  order.customer_id = *customer_id;
  order.amount_cents = *amount;
  return order;
}

std::string PaymentJson(const OrderPlaced& order) {
  return "{\"payment_id\":\"pay-" + order.order_id + "\",\"order_id\":\"" +
         order.order_id + "\",\"customer_id\":\"" + order.customer_id +
         "\",\"amount_cents\":" + std::to_string(order.amount_cents) +
         ",\"status\":\"captured\"}";
}

}  // namespace queue_demo::demo
