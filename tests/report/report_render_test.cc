// The HTML page and the Markdown summary: self-contained, escaped, with the summary numbers
// where a reader (and the browser test) looks for them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "opcost/builder.h"
#include "opcost/report.h"
#include "report/report_test_util.h"
#include "report/text_format.h"

namespace opcost {
namespace {

constexpr char kHostileName[] = "<script>alert(\"x\")</script> & 'q' | `b` *c* \x01 ]](x)";

ReportData HostileReport() {
  return BuildReport(reporttest::FcReluGraph(kHostileName), reporttest::ExampleProfile());
}

// The data-value of the element with id `id`, or "" if absent.
std::string DataValue(const std::string& html, const std::string& id) {
  std::smatch m;
  const std::regex pattern("id=\"" + id + "\" data-value=\"([^\"]*)\"");
  return std::regex_search(html, m, pattern) ? m[1].str() : "";
}

TEST(ReportHtml, HasNoScriptAndNoUrl) {
  const std::string html = RenderReportHtml(HostileReport());
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
}

TEST(ReportHtml, EscapesModelSuppliedNames) {
  const std::string html = RenderReportHtml(HostileReport());
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"),
            std::string::npos);
  EXPECT_EQ(html.find("alert(\"x\")"), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
  EXPECT_NE(html.find("\xEF\xBF\xBD"), std::string::npos);  // the control character's stand-in
}

TEST(ReportHtml, SummaryNumbersCarryExactValues) {
  const ReportData r = BuildReport(reporttest::FcReluGraph(), reporttest::ExampleProfile());
  const std::string html = RenderReportHtml(r);
  EXPECT_EQ(std::stod(DataValue(html, "latency-s")), r.estimate.totals.latency_s);
  EXPECT_EQ(std::stod(DataValue(html, "energy-j")), r.estimate.totals.energy_j);
  EXPECT_EQ(DataValue(html, "macs"), "1000");
  EXPECT_EQ(DataValue(html, "layer-count"), "2");
  EXPECT_EQ(DataValue(html, "flash-used-bytes"), "1040");
  EXPECT_EQ(DataValue(html, "sram-peak-activation-bytes"), "110");
  EXPECT_EQ(DataValue(html, "sram-used-bytes"), "110");
  EXPECT_EQ(DataValue(html, "fit-verdict"), "fits");
  EXPECT_EQ(DataValue(html, "power-measured"), "false");
  EXPECT_NE(html.find(">41.1 \xC2\xB5s<"), std::string::npos);  // what people read
}

TEST(ReportHtml, SaysWhenTheModelDoesNotFit) {
  HardwareProfile p = reporttest::ExampleProfile();
  p.sram_bytes = 64;
  const std::string html = RenderReportHtml(BuildReport(reporttest::FcReluGraph(), p));
  EXPECT_EQ(DataValue(html, "fit-verdict"), "does-not-fit");
  EXPECT_EQ(DataValue(html, "sram-margin-bytes"), "-46");
}

TEST(ReportHtml, ScalesToManyLayers) {
  GraphBuilder b("chain");
  TensorId x = b.Input("x", {1, 8, 8, 8});
  for (int i = 0; i < 300; ++i) {
    std::string name = "relu_with_a_rather_long_name_for_a_chart_";
    name += std::to_string(i);
    x = b.Unary(name, OpType::kRelu, x);
  }
  const std::string html = RenderReportHtml(BuildReport(b.Build(), reporttest::ExampleProfile()));
  EXPECT_EQ(DataValue(html, "layer-count"), "300");
  // Chart labels are cut; the table keeps the whole name.
  EXPECT_NE(html.find(">relu_with_a_rather_long_name_f\xE2\x80\xA6<"), std::string::npos);
  EXPECT_NE(html.find(">relu_with_a_rather_long_name_for_a_chart_299<"), std::string::npos);
}

TEST(ReportMarkdown, HasTheSummaryAndEscapesNames) {
  const std::string md = RenderReportMarkdown(HostileReport());
  EXPECT_NE(md.find("| latency | 41.1 \xC2\xB5s |"), std::string::npos) << md;
  EXPECT_NE(md.find("| MACs | 1,000 |"), std::string::npos);
  EXPECT_NE(md.find("| flash used | 1,040 B = weights 1,040 B + runtime reserve 0 B"),
            std::string::npos);
  EXPECT_NE(md.find("| fits | yes |"), std::string::npos);
  EXPECT_NE(md.find("Layers that take the most time"), std::string::npos);
  EXPECT_EQ(md.find("<script"), std::string::npos);
  EXPECT_NE(md.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(md.find("\\| \\`b\\` \\*c\\*"), std::string::npos);  // a name cannot end the cell
}

TEST(ReportJson, KeepsHostileNamesExactly) {
  const nlohmann::json j = nlohmann::json::parse(RenderReportJson(HostileReport()));
  EXPECT_EQ(j.at("layers")[0].at("name"), kHostileName);
}

TEST(ReportText, FormatsNumbersForPeople) {
  EXPECT_EQ(report::GroupedInt(1234567), "1,234,567");
  EXPECT_EQ(report::GroupedInt(-1234), "-1,234");
  EXPECT_EQ(report::GroupedInt(123), "123");
  EXPECT_EQ(report::Significant(0.00123456), "0.001235");
  EXPECT_EQ(report::Significant(268.99746), "269");
  EXPECT_EQ(report::Seconds(0.26899746), "269 ms");
  EXPECT_EQ(report::Joules(1.2325e-5), "12.33 \xC2\xB5J");
  EXPECT_EQ(report::Percent(0.5), "50 %");
  EXPECT_EQ(report::SafeRatio(1.0, 0.0), 0.0);
}

}  // namespace
}  // namespace opcost
