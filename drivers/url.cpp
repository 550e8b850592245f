#include "drivers/url.h"

#include <libpq-fe.h>
#include <pg_config_manual.h>  // DEFAULT_PGSOCKET_DIR: libpq's default host
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "drivers/secrets.h"

namespace clobber {
namespace {

constexpr size_t npos = std::string::npos;

/// Where "://" starts when `text` begins with a URI scheme (a letter, then
/// letters, digits, '+', '-' or '.'), else npos. Anything else that holds '='
/// is a libpq key=value string, as libpq tells them apart (libpq itself knows
/// only the postgresql:// and postgres:// schemes).
size_t uri_scheme_end(std::string_view text) {
  const size_t end = text.find("://");
  if (end == npos || end == 0 || !std::isalpha(static_cast<unsigned char>(text[0]))) return npos;
  for (char c : text.substr(0, end))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return npos;
  return end;
}

/// The value of one hexadecimal digit, or -1.
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// `text` with its %XX escapes decoded, or nullopt when one is malformed.
std::optional<std::string> try_percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

/// Decodes %XX escapes, or throws naming `what` (never echoing the text).
std::string percent_decode(std::string_view text, const std::string& masked, const char* what) {
  std::optional<std::string> decoded = try_percent_decode(text);
  if (!decoded)
    throw bad_database_url(masked, std::string("invalid percent-encoding in the ") + what);
  return *decoded;
}

/// `text` percent-encoded for a rebuilt URL: every byte but letters, digits,
/// "-._~" and those in `keep` becomes %XX.
std::string percent_encode(std::string_view text, std::string_view keep = {}) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0xF];
    }
  }
  return out;
}

/// The [begin, end) ranges of the values of secret options written in `text`
/// after `from`: any "key=value" following a '?' or '&', up to the next '&',
/// whose key (decoded when it can be) names a secret. Used on text that may
/// not parse, so it assumes nothing about where the query starts.
std::vector<std::pair<size_t, size_t>> secret_option_values(std::string_view text, size_t from) {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t at = text.find_first_of("?&", from);
  while (at != npos) {
    const size_t begin = at + 1;
    const size_t end = std::min(text.find('&', begin), text.size());
    const std::string_view option = text.substr(begin, end - begin);
    const size_t eq = option.find('=');
    size_t next = begin;
    if (eq != npos) {
      const std::string_view key = option.substr(0, eq);
      if (is_secret_option(try_percent_decode(key).value_or(std::string(key)))) {
        ranges.emplace_back(begin + eq + 1, end);
        next = end;  // the value is masked whole, whatever it holds
      }
    }
    at = next < text.size() ? text.find_first_of("?&", next) : npos;
  }
  return ranges;
}

/// Adds a secret as written in the URL and, when it decodes, as decoded.
void add_written_secret(std::vector<std::string>& secrets, std::string_view written) {
  add_secret(secrets, written);
  if (std::optional<std::string> decoded = try_percent_decode(written))
    add_secret(secrets, *decoded);
}

/// The URL for messages about a URL that may not parse: everything from the
/// first ':' after the scheme to the LAST '@' is masked (whatever a parser
/// would take for the password lies there), and so is every secret option's value.
std::string conservative_mask(const std::string& text, size_t authority_begin) {
  std::string masked = text;
  const size_t last_at = masked.rfind('@');
  if (last_at != npos && last_at >= authority_begin) {
    const size_t colon = masked.find(':', authority_begin);
    if (colon < last_at) masked.replace(colon + 1, last_at - colon - 1, kSecretMask);
  }
  const auto ranges = secret_option_values(masked, authority_begin);
  for (auto range = ranges.rbegin(); range != ranges.rend(); ++range)
    masked.replace(range->first, range->second - range->first, kSecretMask);
  return masked;
}

/// The secrets of a URL that may not parse: the text from the first ':' after
/// the scheme to the first and to the last '@', every secret option's value,
/// and the environment's passwords. Scrubbed from a library's parse errors.
std::vector<std::string> conservative_secrets(const std::string& text, size_t authority_begin) {
  std::vector<std::string> secrets;
  const size_t colon = text.find(':', authority_begin);
  for (size_t at : {text.find('@', authority_begin), text.rfind('@')})
    if (at != npos && at >= authority_begin && colon < at)
      add_written_secret(secrets, std::string_view(text).substr(colon + 1, at - colon - 1));
  for (const auto& [begin, end] : secret_option_values(text, authority_begin))
    add_written_secret(secrets, std::string_view(text).substr(begin, end - begin));
  add_environment_secrets(secrets);
  return secrets;
}

/// The secrets of a parsed URL: its password and secret options' values, as
/// parsed and as written in the URL, and the environment's passwords.
/// `written_password` is the user info's password as written ("" for none);
/// `query_begin` is where the query starts in `url.text` (npos for none).
std::vector<std::string> parsed_secrets(const DatabaseUrl& url, std::string_view written_password,
                                        size_t query_begin) {
  std::vector<std::string> secrets;
  add_secret(secrets, url.password);
  add_secret(secrets, written_password);
  for (const auto& [key, value] : url.options)
    if (is_secret_option(key)) add_secret(secrets, value);
  if (query_begin != npos)
    for (const auto& [begin, end] : secret_option_values(url.text, query_begin))
      add_written_secret(secrets, std::string_view(url.text).substr(begin, end - begin));
  add_environment_secrets(secrets);
  return secrets;
}

/// "user[:***]@" for a rebuilt URL, or "" when it names neither.
std::string masked_user_info(const DatabaseUrl& url) {
  if (url.user.empty() && url.password.empty()) return "";
  std::string info = percent_encode(url.user);
  if (!url.password.empty()) info += ":" + std::string(kSecretMask);
  return info + "@";
}

/// Appends "?key=value&..." for a rebuilt URL, secret values as ***.
void append_masked_query(std::string& masked,
                         const std::vector<std::pair<std::string, std::string>>& options) {
  char separator = masked.find('?') == npos ? '?' : '&';
  for (const auto& [key, value] : options) {
    masked += separator;
    masked += percent_encode(key);
    masked += '=';
    masked += is_secret_option(key) ? std::string(kSecretMask) : percent_encode(value, "/:,");
    separator = '&';
  }
}

/// Splits `text` at every ',' (libpq's host and port lists).
std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const size_t comma = text.find(',');
    items.push_back(text.substr(0, comma));
    if (comma == npos) return items;
    text.remove_prefix(comma + 1);
  }
}

/// Parses "digits" as a TCP port (1..65535), or throws.
int parse_port(std::string_view text, const std::string& masked) {
  int port = 0;
  bool valid = !text.empty() && text.size() <= 5;
  for (char c : text) {
    if (c < '0' || c > '9') valid = false;
    if (valid) port = port * 10 + (c - '0');
  }
  if (!valid || port < 1 || port > 65535)
    throw bad_database_url(
        masked, "bad port '" + std::string(text) + "' (expected a number from 1 to 65535)");
  return port;
}

/// Parses `key=value&...` into url.options (decoded, in order).
void parse_query(std::string_view query, DatabaseUrl& url) {
  if (query.empty()) return;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view option = query.substr(0, amp);
    const size_t eq = option.find('=');
    std::string key = percent_decode(option.substr(0, eq), url.masked, "URL options");
    if (key.empty()) throw bad_database_url(url.masked, "an option has no name");
    const char* what = is_secret_option(key) ? "value of a secret option" : "URL options";
    std::string value =
        eq == npos ? std::string() : percent_decode(option.substr(eq + 1), url.masked, what);
    url.options.emplace_back(std::move(key), std::move(value));
    if (amp == npos) break;
    query.remove_prefix(amp + 1);
  }
}

/// libpq's parse of a conninfo string; freed with PQconninfoFree.
using ConninfoOptions = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

/// One "key=value" of a libpq key=value string: the key, where its value is
/// written ([begin, end), quotes included) and the value as libpq reads it.
struct ConninfoItem {
  std::string key;
  size_t begin = 0;
  size_t end = 0;
  std::string value;
};

/// A key=value string split as libpq's conninfo_parse splits it: keys end at
/// '=' or white space; a value is a run of non-space characters or a
/// '...'-quoted string, '\' escaping the next character in both. `stopped` is
/// npos when the whole text splits, else where the first malformed item starts.
struct ConninfoSplit {
  std::vector<ConninfoItem> items;
  size_t stopped = npos;
  std::string problem;  // names no value: safe to print
};

/// True for libpq's white space in a key=value string.
bool is_conninfo_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

/// Splits a libpq key=value string (see ConninfoSplit).
ConninfoSplit split_conninfo(std::string_view text) {
  ConninfoSplit split;
  size_t at = 0;
  while (true) {
    while (at < text.size() && is_conninfo_space(text[at])) ++at;
    if (at == text.size()) return split;
    const size_t item_begin = at;
    ConninfoItem item;
    while (at < text.size() && text[at] != '=' && !is_conninfo_space(text[at])) ++at;
    item.key = std::string(text.substr(item_begin, at - item_begin));
    while (at < text.size() && is_conninfo_space(text[at])) ++at;
    if (at == text.size() || text[at] != '=') {
      split.stopped = item_begin;
      split.problem = "a keyword without '=' (expected key=value key=value ...)";
      return split;
    }
    ++at;
    while (at < text.size() && is_conninfo_space(text[at])) ++at;
    item.begin = at;
    const bool quoted = at < text.size() && text[at] == '\'';
    if (quoted) ++at;
    bool closed = !quoted;
    while (at < text.size()) {
      const char c = text[at];
      if (!quoted && is_conninfo_space(c)) break;
      if (quoted && c == '\'') {
        ++at;
        closed = true;
        break;
      }
      if (c == '\\' && at + 1 < text.size()) ++at;
      item.value += text[at++];
    }
    if (!closed) {
      split.stopped = item_begin;
      split.problem = "an unterminated quoted value";
      return split;
    }
    item.end = at;
    split.items.push_back(std::move(item));
  }
}

/// The keywords libpq knows, each with whether libpq treats it as a secret
/// (PQconndefaults' dispchar "*": password, sslpassword).
std::vector<std::pair<std::string, bool>> libpq_keywords() {
  std::vector<std::pair<std::string, bool>> keywords;
  ConninfoOptions defaults(PQconndefaults(), &PQconninfoFree);
  if (!defaults) return keywords;
  for (const PQconninfoOption* option = defaults.get(); option->keyword != nullptr; ++option)
    keywords.emplace_back(option->keyword,
                          option->dispchar != nullptr && std::strchr(option->dispchar, '*'));
  return keywords;
}

/// True when a key=value string may show `key`'s value in a message: libpq
/// knows the key and it is not a secret. Values of unknown keys (a misspelt
/// "pasword=") and everything past a malformed item are masked.
bool shows_conninfo_value(const std::string& key,
                          const std::vector<std::pair<std::string, bool>>& keywords) {
  if (is_secret_option(key)) return false;
  return std::any_of(keywords.begin(), keywords.end(),
                     [&key](const auto& known) { return known.first == key && !known.second; });
}

/// A key=value string for messages, whether or not it parses: the values of
/// secret and unknown keys are ***, and so is everything from a malformed item on.
std::string conservative_conninfo_mask(const std::string& text, const ConninfoSplit& split) {
  const auto keywords = libpq_keywords();
  std::string masked = text;
  if (split.stopped != npos)
    masked.replace(split.stopped, npos, std::string(kSecretMask));  // '=' may be missing
  for (auto item = split.items.rbegin(); item != split.items.rend(); ++item)
    if (!shows_conninfo_value(item->key, keywords))
      masked.replace(item->begin, item->end - item->begin, kSecretMask);
  return masked;
}

/// The secrets of a key=value string that may not parse: the values of secret
/// and unknown keys as written and as read, the text from a malformed item on,
/// and the environment's passwords.
std::vector<std::string> conservative_conninfo_secrets(std::string_view text,
                                                       const ConninfoSplit& split) {
  const auto keywords = libpq_keywords();
  std::vector<std::string> secrets;
  for (const ConninfoItem& item : split.items) {
    if (shows_conninfo_value(item.key, keywords)) continue;
    add_secret(secrets, item.value);
    add_secret(secrets, text.substr(item.begin, item.end - item.begin));
  }
  if (split.stopped != npos) add_secret(secrets, text.substr(split.stopped));
  add_environment_secrets(secrets);
  return secrets;
}

/// `value` as a key=value string writes it: quoted when empty or when it holds
/// white space, a quote or a backslash.
std::string conninfo_value(std::string_view value) {
  const bool plain = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
    return is_conninfo_space(c) || c == '\'' || c == '\\';
  });
  if (plain) return std::string(value);
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

/// The masked key=value string rebuilt from the parsed fields, secrets as ***.
std::string masked_conninfo(const DatabaseUrl& url) {
  std::vector<std::pair<std::string, std::string>> items;
  if (!url.host.empty()) items.emplace_back("host", url.host);
  if (!url.ports.empty()) items.emplace_back("port", url.ports);
  if (!url.user.empty()) items.emplace_back("user", url.user);
  if (!url.password.empty()) items.emplace_back("password", std::string(kSecretMask));
  items.emplace_back("dbname", url.database);
  items.insert(items.end(), url.options.begin(), url.options.end());
  std::string masked;
  for (const auto& [key, value] : items) {
    if (!masked.empty()) masked += ' ';
    masked +=
        key + "=" + (is_secret_option(key) ? std::string(kSecretMask) : conninfo_value(value));
  }
  return masked;
}

/// The masked PostgreSQL URL rebuilt from the parsed fields: hosts and ports in
/// the authority when libpq reads them back the same way, else as ?host= / ?port=.
std::string masked_postgres_url(const DatabaseUrl& url, std::string_view scheme) {
  std::string masked = std::string(scheme) + "://" + masked_user_info(url);
  const std::vector<std::string_view> hosts = split_list(url.host);
  const std::vector<std::string_view> ports =
      url.ports.empty() ? std::vector<std::string_view>() : split_list(url.ports);
  bool in_authority = !url.host.empty() && (ports.empty() || ports.size() == hosts.size());
  for (std::string_view host : hosts)
    if (host.empty() || host.starts_with('/'))
      in_authority = false;  // sockets read better as ?host=
  std::vector<std::pair<std::string, std::string>> query;
  if (in_authority) {
    for (size_t i = 0; i < hosts.size(); ++i) {
      if (i > 0) masked += ',';
      if (hosts[i].find(':') != npos)
        masked += "[" + std::string(hosts[i]) + "]";  // IPv6
      else
        masked += percent_encode(hosts[i]);
      if (!ports.empty() && !ports[i].empty()) masked += ":" + std::string(ports[i]);
    }
  } else {
    if (!url.host.empty()) query.emplace_back("host", url.host);
    if (!url.ports.empty()) query.emplace_back("port", url.ports);
  }
  masked += "/" + percent_encode(url.database);
  query.insert(query.end(), url.options.begin(), url.options.end());
  append_masked_query(masked, query);
  return masked;
}

/// libpq's parse of `text` (a URI or a key=value string), or throws with
/// libpq's reason scrubbed of `url.secrets`.
ConninfoOptions libpq_parse(const std::string& text, const DatabaseUrl& url) {
  char* error = nullptr;
  ConninfoOptions options(PQconninfoParse(text.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    throw bad_database_url(url.masked, "libpq refuses it: " + scrub_secrets(message, url.secrets));
  }
  return options;
}

/// Stores one libpq keyword's value in `url`'s fields or options.
void set_libpq_field(DatabaseUrl& url, std::string_view keyword, const char* value) {
  if (keyword == "user")
    url.user = value;
  else if (keyword == "password")
    url.password = value;
  else if (keyword == "host")
    url.host = value;
  else if (keyword == "port")
    url.ports = value;
  else if (keyword == "dbname")
    url.database = value;
  else
    url.options.emplace_back(std::string(keyword), value);
}

/// Fills what `parsed` leaves unset as libpq does when it connects, so that
/// the fields are what it connects to: PQconndefaults gives the PG* variables
/// (and the PGSERVICE service), else the operating-system user; the database
/// defaults to the user and the host to the Unix socket directory. Values that
/// are libpq's built-in defaults are left out, and so are application_name and
/// connect_timeout, which the driver sets (drivers/postgres/postgres_driver.cpp).
/// Secrets from the environment (PGPASSWORD) are not copied: libpq reads them
/// itself; they are added to url.secrets.
void apply_libpq_defaults(const PQconninfoOption* parsed, DatabaseUrl& url) {
  ConninfoOptions defaults(PQconndefaults(), &PQconninfoFree);
  if (!defaults) throw DatabaseError("libpq could not allocate its connection defaults");
  for (const PQconninfoOption* option = defaults.get(); option->keyword != nullptr; ++option) {
    const std::string_view keyword = option->keyword;
    if (option->val == nullptr || *option->val == '\0') continue;
    bool given = false;
    for (const PQconninfoOption* own = parsed; own->keyword != nullptr; ++own)
      if (keyword == own->keyword) given = own->val != nullptr;
    if (given || keyword == "application_name" || keyword == "fallback_application_name" ||
        keyword == "connect_timeout" || keyword == "service")
      continue;
    if (is_secret_option(keyword) ||
        (option->dispchar != nullptr && std::strchr(option->dispchar, '*') != nullptr)) {
      add_secret(url.secrets, option->val);
      continue;
    }
    if (option->compiled != nullptr && std::strcmp(option->compiled, option->val) == 0) continue;
    set_libpq_field(url, keyword, option->val);
  }
  const bool has_hostaddr =
      std::any_of(url.options.begin(), url.options.end(),
                  [](const auto& option) { return option.first == "hostaddr"; });
  if (url.host.empty() && !has_hostaddr) url.host = DEFAULT_PGSOCKET_DIR;
  if (url.database.empty()) url.database = url.user;
}

/// Reads libpq's parse of a PostgreSQL URI or key=value string into `url`, fills
/// libpq's defaults, checks the result, and rebuilds url.masked in the same form
/// (`scheme` "" for a key=value string). url.text, url.masked and url.secrets
/// must hold the conservative forms; `written_secrets` are the secrets as
/// written in the text, which libpq decodes.
DatabaseUrl finish_postgres(DatabaseUrl url, std::string_view scheme,
                            const std::vector<std::string>& written_secrets) {
  const ConninfoOptions options = libpq_parse(url.text, url);
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option)
    if (option->val != nullptr) set_libpq_field(url, option->keyword, option->val);
  url.secrets.clear();
  add_secret(url.secrets, url.password);
  for (const std::string& secret : written_secrets) add_secret(url.secrets, secret);
  for (const auto& [key, value] : url.options)
    if (is_secret_option(key)) add_secret(url.secrets, value);
  add_environment_secrets(url.secrets);
  if (std::any_of(url.options.begin(), url.options.end(),
                  [](const auto& option) { return option.first == "service"; }))
    throw bad_database_url(url.masked,
                           "service= is not supported: clobber could not show what the service "
                           "file sets; set PGSERVICE instead, which clobber reads as libpq does");
  apply_libpq_defaults(options.get(), url);

  if (url.host.empty() &&
      std::none_of(url.options.begin(), url.options.end(),
                   [](const auto& option) { return option.first == "hostaddr"; }))
    throw bad_database_url(url.masked,
                           "missing host (give one in the URL, host=, or PGHOST: libpq has no "
                           "default socket directory here)");
  if (url.database.empty())
    throw bad_database_url(url.masked, "missing database name (give dbname= or PGDATABASE)");
  url.port = 5432;
  if (!url.ports.empty()) {
    const std::vector<std::string_view> ports = split_list(url.ports);
    bool first = true;
    for (std::string_view port : ports) {
      if (port.empty()) continue;  // libpq: the default port for that host
      const int number = parse_port(port, url.masked);
      if (first) url.port = number;
      first = false;
    }
    std::string hostaddr;
    for (const auto& [key, value] : url.options)
      if (key == "hostaddr") hostaddr = value;
    const size_t hosts = split_list(url.host.empty() ? hostaddr : url.host).size();
    if (ports.size() > 1 && ports.size() != hosts)
      throw bad_database_url(url.masked, std::to_string(ports.size()) + " ports for " +
                                             std::to_string(hosts) +
                                             " hosts (give one port for all, or one per host)");
  }
  // A secret that is also the user, host or database name is masked there too.
  url.masked = scrub_secrets(
      scheme.empty() ? masked_conninfo(url) : masked_postgres_url(url, scheme), url.secrets);
  return url;
}

/// Parses a postgresql:// or postgres:// URL with libpq's own parser, so that
/// every field is what libpq connects to. Refuses what libpq refuses, and an
/// unencoded '@' past the user info, which libpq would read as part of the
/// host or database name (leaking part of a password that holds '@' or '/').
DatabaseUrl parse_postgres_url(const std::string& text, size_t authority_begin,
                               std::string_view scheme) {
  DatabaseUrl url;
  url.kind = DatabaseKind::postgresql;
  url.text = text;
  url.secrets = conservative_secrets(text, authority_begin);
  url.masked = scrub_secrets(conservative_mask(text, authority_begin), url.secrets);

  // libpq's user info ends at the first '@' or '/' after the scheme; its query
  // starts at the first '?' after that.
  const size_t stop = text.find_first_of("@/", authority_begin);
  const bool has_user_info = stop != npos && text[stop] == '@';
  const size_t rest = has_user_info ? stop + 1 : authority_begin;
  const size_t query_begin = text.find('?', rest);
  const size_t extra_at = text.find('@', rest);
  if (extra_at != npos && extra_at < query_begin)
    throw bad_database_url(
        url.masked,
        "an unencoded '@' after the user info, or a '/' before its '@': libpq would read part "
        "of the password (or user name) as the host or the database name; percent-encode '@' "
        "as %40 and '/' as %2F");

  std::vector<std::string> written;
  const size_t colon = text.find(':', authority_begin);
  if (has_user_info && colon < stop)
    add_written_secret(written, std::string_view(text).substr(colon + 1, stop - colon - 1));
  if (query_begin != npos)
    for (const auto& [begin, end] : secret_option_values(text, query_begin))
      add_written_secret(written, std::string_view(text).substr(begin, end - begin));
  return finish_postgres(std::move(url), scheme, written);
}

/// Parses a libpq key=value string ("host=h port=5432 dbname=db user=u"), as
/// libpq does when the text is not a URI but holds '='.
DatabaseUrl parse_postgres_conninfo(const std::string& text) {
  DatabaseUrl url;
  url.kind = DatabaseKind::postgresql;
  url.text = text;
  const ConninfoSplit split = split_conninfo(text);
  url.secrets = conservative_conninfo_secrets(text, split);
  url.masked = scrub_secrets(conservative_conninfo_mask(text, split), url.secrets);
  if (split.stopped != npos)
    throw bad_database_url(url.masked, "not a libpq key=value string: " + split.problem);
  std::vector<std::string> written;
  for (const ConninfoItem& item : split.items)
    if (is_secret_option(item.key))
      add_secret(written, std::string_view(text).substr(item.begin, item.end - item.begin));
  return finish_postgres(std::move(url), "", written);
}

/// A server URL after its scheme, split: the user info is already decoded
/// into the DatabaseUrl's user and password.
struct ServerUrl {
  std::string_view written_password;  // the password as written (parsed_secrets)
  std::string_view hostport;          // "host", "host:port" or "[IPv6]:port"
  std::string_view database;          // the path after the host, as written
  size_t query_begin = npos;          // where the '?' is, or npos
};

/// Starts `url` (kind, text, a conservative mask and secrets) and splits
/// `text` from `authority_begin`: the user info ends at the LAST '@' of the
/// URL and the user name at its first ':'.
ServerUrl split_server_url(const std::string& text, size_t authority_begin, DatabaseKind kind,
                           DatabaseUrl& url) {
  url.kind = kind;
  url.text = text;
  url.secrets = conservative_secrets(text, authority_begin);
  url.masked = scrub_secrets(conservative_mask(text, authority_begin), url.secrets);
  const std::string_view whole(text);
  ServerUrl parts;
  size_t at = text.rfind('@');
  if (at != npos && at < authority_begin) at = npos;
  size_t host_begin = authority_begin;
  if (at != npos) {
    const std::string_view user_info = whole.substr(authority_begin, at - authority_begin);
    const size_t colon = user_info.find(':');
    url.user = percent_decode(user_info.substr(0, colon), url.masked, "user name");
    if (colon != npos) {
      parts.written_password = user_info.substr(colon + 1);
      url.password = percent_decode(parts.written_password, url.masked, "password");
    }
    host_begin = at + 1;
  }
  parts.query_begin = text.find('?', host_begin);
  const std::string_view rest = whole.substr(
      host_begin, (parts.query_begin == npos ? text.size() : parts.query_begin) - host_begin);
  const size_t slash = rest.find('/');
  parts.hostport = rest.substr(0, slash);
  parts.database = slash == npos ? std::string_view() : rest.substr(slash + 1);
  return parts;
}

/// Sets url.host from the authority's `hostport` ("host", "host:port",
/// "[IPv6]:port"); returns the port's text, or nullopt when there is none.
std::optional<std::string_view> parse_host(std::string_view hostport, DatabaseUrl& url) {
  constexpr size_t npos = std::string_view::npos;
  if (hostport.starts_with('[')) {  // [IPv6]:port
    const size_t close = hostport.find(']');
    if (close == npos) throw bad_database_url(url.masked, "unterminated '[' in the host");
    url.host = std::string(hostport.substr(1, close - 1));
    const std::string_view after = hostport.substr(close + 1);
    if (after.empty()) return std::nullopt;
    if (after[0] != ':')
      throw bad_database_url(url.masked, "unexpected text after ']' in the host");
    return after.substr(1);
  }
  const size_t colon = hostport.find(':');
  url.host = percent_decode(hostport.substr(0, colon), url.masked, "host");
  if (colon == npos) return std::nullopt;
  return hostport.substr(colon + 1);
}

/// Parses mysql:// and mariadb:// URLs: [user[:password]@]host[:port]/database[?options].
/// The user info ends at the LAST '@' of the URL, and the user name at its first
/// ':', so a password may hold unencoded ':', '/', '?', '#' and '@'; an '@'
/// after the host (in the database name or an option) must be written %40.
DatabaseUrl parse_mysql_url(const std::string& text, size_t authority_begin,
                            std::string_view scheme) {
  DatabaseUrl url;
  const ServerUrl parts = split_server_url(text, authority_begin, DatabaseKind::mysql, url);
  const std::optional<std::string_view> port_text = parse_host(parts.hostport, url);
  if (url.host.empty())
    throw bad_database_url(url.masked, "missing host (expected mysql://user@host/db)");
  url.port = port_text ? parse_port(*port_text, url.masked) : 3306;

  url.database = percent_decode(parts.database, url.masked, "database name");
  if (url.database.empty())
    throw bad_database_url(url.masked, "missing database name (expected mysql://user@host/db)");
  if (parts.database.find('/') != npos)
    throw bad_database_url(url.masked, "the database name contains '/'");

  if (parts.query_begin != npos)
    parse_query(std::string_view(text).substr(parts.query_begin + 1), url);
  if (url.password.empty()) {
    for (const auto& [key, value] : url.options)
      if (key == "password") url.password = value;
  }
  url.secrets = parsed_secrets(url, parts.written_password, parts.query_begin);

  url.masked = std::string(scheme) + "://" + masked_user_info(url);
  url.masked += url.host.find(':') != npos ? "[" + url.host + "]" : percent_encode(url.host);
  if (port_text) url.masked += ":" + std::to_string(url.port);
  url.masked += "/" + percent_encode(url.database);
  append_masked_query(url.masked, url.options);
  url.masked = scrub_secrets(url.masked, url.secrets);
  return url;
}

/// Parses redis:// URLs: [[user]:password@]host[:port][/db][?options]. As for
/// mysql://, the user info ends at the LAST '@' and the user name at its first
/// ':'; an empty user name (redis://:secret@host) authenticates with the
/// password alone (AUTH password), as Redis without ACL users expects. The
/// database is a number (SELECT), 0 when absent.
DatabaseUrl parse_redis_url(const std::string& text, size_t authority_begin) {
  DatabaseUrl url;
  const ServerUrl parts = split_server_url(text, authority_begin, DatabaseKind::redis, url);
  if (!url.user.empty() && url.password.empty())
    throw bad_database_url(url.masked,
                           "a user name without a password (expected redis://user:password@host "
                           "or redis://:password@host)");
  const std::optional<std::string_view> port_text = parse_host(parts.hostport, url);
  if (url.host.empty())
    throw bad_database_url(url.masked, "missing host (expected redis://host[:port][/db])");
  url.port = port_text ? parse_port(*port_text, url.masked) : 6379;

  url.database = parts.database.empty() ? "0" : std::string(parts.database);
  const bool digits =
      url.database.size() <= 9 && std::all_of(url.database.begin(), url.database.end(),
                                              [](char c) { return c >= '0' && c <= '9'; });
  if (!digits)
    throw bad_database_url(url.masked, "bad database '" + std::string(parts.database) +
                                           "' (expected a database number, e.g. redis://host/0)");

  if (parts.query_begin != npos)
    parse_query(std::string_view(text).substr(parts.query_begin + 1), url);
  url.secrets = parsed_secrets(url, parts.written_password, parts.query_begin);

  url.masked = "redis://";
  if (!url.password.empty())
    url.masked += percent_encode(url.user) + ":" + std::string(kSecretMask) + "@";
  url.masked += url.host.find(':') != npos ? "[" + url.host + "]" : percent_encode(url.host);
  if (port_text) url.masked += ":" + std::to_string(url.port);
  url.masked += "/" + url.database;
  append_masked_query(url.masked, url.options);
  url.masked = scrub_secrets(url.masked, url.secrets);
  return url;
}

/// Parses sqlite:PATH and sqlite://PATH, with optional ?options.
DatabaseUrl parse_sqlite_url(const std::string& text) {
  DatabaseUrl url;
  url.kind = DatabaseKind::sqlite;
  url.text = text;
  url.masked = text;  // a path may hold ':' and '@': only secret options are masked
  const auto ranges = secret_option_values(text, 0);
  for (auto range = ranges.rbegin(); range != ranges.rend(); ++range)
    url.masked.replace(range->first, range->second - range->first, kSecretMask);
  std::string_view rest = std::string_view(text).substr(std::string_view("sqlite:").size());
  if (rest.starts_with("//")) rest.remove_prefix(2);
  const size_t question = rest.find('?');
  const std::string_view path = rest.substr(0, question);
  if (path.empty())
    throw bad_database_url(url.masked,
                           "missing file path (expected sqlite:PATH, e.g. sqlite:/tmp/test.db)");
  if (path == ":memory:" || path.starts_with("file::memory:"))
    throw bad_database_url(url.masked,
                           "an in-memory SQLite database cannot be used: every worker opens its "
                           "own connection, so they must share a database file (use sqlite:PATH)");
  url.database = std::string(path);
  if (question != npos) parse_query(rest.substr(question + 1), url);
  for (const auto& [key, value] : url.options)
    if (is_secret_option(key)) add_secret(url.secrets, value);
  for (const auto& [begin, end] : ranges)
    add_written_secret(url.secrets, std::string_view(text).substr(begin, end - begin));
  return url;
}

}  // namespace

InputError bad_database_url(const std::string& masked, const std::string& problem) {
  return InputError("--db: bad database URL '" + masked + "': " + problem);
}

DatabaseUrl parse_database_url(const std::string& text) {
  if (text.starts_with("sqlite:")) return parse_sqlite_url(text);
  const size_t scheme_end = uri_scheme_end(text);
  if (scheme_end == npos) {
    if (text.find('=') != npos) return parse_postgres_conninfo(text);
    throw bad_database_url(conservative_mask(text, 0),
                           "expected postgresql://..., a libpq key=value string (host=H "
                           "dbname=D ...), mysql://..., mariadb://..., redis://... or sqlite:PATH");
  }
  const std::string scheme = text.substr(0, scheme_end);
  const size_t authority_begin = scheme_end + 3;
  if (scheme == "postgresql" || scheme == "postgres")
    return parse_postgres_url(text, authority_begin, scheme);
  if (scheme == "mysql" || scheme == "mariadb")
    return parse_mysql_url(text, authority_begin, scheme);
  if (scheme == "redis") return parse_redis_url(text, authority_begin);
  throw bad_database_url(conservative_mask(text, authority_begin),
                         "unknown scheme '" + scheme +
                             "' (expected postgresql://, postgres://, mysql://, mariadb://, "
                             "redis:// or sqlite:PATH)");
}

std::vector<std::string> split_database_list(std::string_view text) {
  std::vector<std::string> entries;
  std::string conninfo;  // the key=value words read so far
  const auto end_conninfo = [&] {
    if (!conninfo.empty()) entries.push_back(std::move(conninfo));
    conninfo.clear();
  };
  size_t at = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == ';' || c == '\n') {
      end_conninfo();
      ++at;
      continue;
    }
    if (is_conninfo_space(c)) {
      ++at;
      continue;
    }
    const size_t begin = at;
    const std::string_view rest = text.substr(begin);
    const bool url = rest.starts_with("sqlite:") || uri_scheme_end(rest) != npos;
    bool quoted = false;  // inside a key=value string's '...' value
    while (at < text.size()) {
      const char d = text[at];
      if (quoted) {
        if (d == '\\' && at + 1 < text.size()) ++at;
        if (d == '\'') quoted = false;
        ++at;
        continue;
      }
      if (is_conninfo_space(d) || d == ';') break;
      if (d == '\'' && !url) quoted = true;
      ++at;
    }
    const std::string word(text.substr(begin, at - begin));
    if (url || word.find('=') == npos) {
      end_conninfo();
      entries.push_back(word);
    } else {
      conninfo += (conninfo.empty() ? "" : " ") + word;
    }
  }
  end_conninfo();
  return entries;
}

std::string mask_saved_url(const std::string& text) {
  const size_t scheme_end = text.find("://");  // also in a quoted word of a replay command
  if (scheme_end == npos && !text.starts_with("sqlite:") && text.find('=') != npos)
    return conservative_conninfo_mask(text, split_conninfo(text));
  return conservative_mask(text, scheme_end == npos ? 0 : scheme_end + 3);
}

std::string scrub_command_line_secrets(std::string_view message, int argc, char** argv) {
  std::vector<std::string> arguments;
  for (int i = 1; i < argc; ++i) arguments.emplace_back(argv[i]);
  if (const char* list = std::getenv("CLOBBER_DB"))
    for (std::string& entry : split_database_list(list)) arguments.push_back(std::move(entry));
  std::vector<std::string> secrets;
  add_environment_secrets(secrets);
  const auto add = [&secrets](const std::vector<std::string>& found) {
    for (const std::string& secret : found)
      if (std::find(secrets.begin(), secrets.end(), secret) == secrets.end())
        secrets.push_back(secret);
  };
  for (std::string arg : arguments) {
    if (arg.starts_with("--") && arg.find('=') != npos) arg.erase(0, arg.find('=') + 1);
    const size_t scheme_end = arg.find("://");
    if (scheme_end != npos) {
      add(conservative_secrets(arg, scheme_end + 3));
      continue;
    }
    if (arg.starts_with("sqlite:") || arg.find('=') == npos) continue;
    // A key=value string: the values of its secret keys, and all of it from a
    // malformed item on when that part names a password.
    const ConninfoSplit split = split_conninfo(arg);
    std::vector<std::string> found;
    for (const ConninfoItem& item : split.items) {
      if (!is_secret_option(item.key)) continue;
      add_secret(found, item.value);
      add_secret(found, std::string_view(arg).substr(item.begin, item.end - item.begin));
    }
    if (split.stopped != npos && is_secret_option(arg.substr(split.stopped)))
      add_secret(found, std::string_view(arg).substr(split.stopped));
    add(found);
  }
  std::stable_sort(secrets.begin(), secrets.end(),
                   [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return scrub_secrets(message, secrets);
}

DatabaseUrl temporary_sqlite_url() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path =
      std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") + "/clobber-XXXXXX.db";
  const int fd = mkstemps(path.data(), 3);
  if (fd < 0)
    throw DatabaseError("cannot create a temporary SQLite database file " + path + ": " +
                        std::strerror(errno));
  close(fd);
  DatabaseUrl url;
  url.kind = DatabaseKind::sqlite;
  url.text = "sqlite:" + path;
  url.masked = url.text;
  url.database = path;
  url.temporary = true;
  return url;
}

bool is_embedded(const DatabaseUrl& url) {
  return url.kind == DatabaseKind::sqlite;
}

DatabaseUrl default_database_url() {
  return temporary_sqlite_url();
}

}  // namespace clobber
