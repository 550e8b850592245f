// The workload loader's top level: the file, the document and the order of its
// sections; each section is loaded by its own part (harness/workload/loader_parts.h).
#include "harness/workload/workload_loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/workload/loader_parts.h"

namespace clobber::loader {
namespace {

constexpr std::string_view kTopKeys[] = {"name",       "description", "tables", "transactions",
                                         "invariants", "run",         "matrix", "expect"};

}  // namespace

Loader::Loader(const std::string& text, const std::string& path) : YamlReader(path), text_(text) {
  line_starts_.push_back(0);
  for (size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(i + 1);
  }
}

Ref Loader::document() const {
  check_printable(text_, path_);
  YAML::Node root;
  try {
    root = YAML::Load(text_);
  } catch (const YAML::Exception& error) {
    fail(location(error.mark), yaml_error_message(error));
  }
  return ref(root);
}

Ref Loader::section(const Ref& root, std::string_view key) const {
  return require(names_map(root, "the workload"), key).value;
}

Workload Loader::load() const {
  const Ref root = document();
  if (!root.node.IsDefined() || root.node.IsNull()) {
    fail(SourceLocation{path_, 1, 1},
         "the workload is empty; it needs at least name, description, tables and transactions");
  }
  Workload workload;
  workload.file = path_;
  MapView top = map(root, "the workload", kTopKeys);
  workload.name = nonempty_text(require(top, "name").value, "name");
  workload.description = nonempty_text(require(top, "description").value, "description");
  load_tables(require(top, "tables").value, workload);
  load_transactions(require(top, "transactions").value, workload);
  if (const Entry* entry = top.find("invariants")) load_invariants(entry->value, workload);
  if (const Entry* entry = top.find("run")) load_run(entry->value, workload.run);
  if (const Entry* entry = top.find("matrix")) load_matrix(entry->value, workload.matrix);
  if (const Entry* entry = top.find("expect")) load_expect(entry->value, workload);
  return workload;
}

}  // namespace clobber::loader

namespace clobber {

Workload load_workload_text(const std::string& text, const std::string& path) {
  return loader::Loader(text, path).load();
}

Workload load_workload_file(const std::string& path) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw InputError("cannot read " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw InputError("cannot read " + path);
  return load_workload_text(content.str(), path);
}

}  // namespace clobber
