// Names every report gives the same thing (reports/reporter.h).
#include <algorithm>
#include <string>
#include <vector>

#include "reports/reporter.h"

namespace clobber {

std::string database_label(const DatabaseInfo& database) {
  std::string version = database.server_version.substr(0, database.server_version.find(' '));
  std::string kind(to_string(database.kind));
  const size_t mariadb = version.find("-MariaDB");
  if (mariadb != std::string::npos) {  // MariaDB speaks MySQL's protocol and says so here
    kind = "mariadb";
    version.resize(mariadb);
  }
  std::string label = version.empty() ? kind : kind + " " + version;
  // A server's version string is the server's to choose: no control characters.
  for (char& c : label)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return label;
}

std::string database_name_among(const DatabaseInfo& database,
                                const std::vector<const DatabaseInfo*>& all) {
  const std::string label = database_label(database);
  const bool shared = std::count_if(all.begin(), all.end(), [&](const DatabaseInfo* other) {
                        return database_label(*other) == label;
                      }) > 1;
  return shared && !database.url.empty() ? label + " " + database.url : label;
}

}  // namespace clobber
