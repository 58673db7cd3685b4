// Package cases keeps the hall's matters (一件一码, one matter one code):
// registration at the kiosk or a window, the lifecycle 登记 → 接待 → 分流 →
// 调处 → 回访 → 终结 with supervision (督办) as an overlay, the statutory
// time limits of each case type counted by the Civil Code's rules over a
// holiday calendar that is data, rectification of bad ratings, first-visit
// responsibility (首访负责制), the personal data of the parties (sealed at
// rest, masked on every view, audited when opened, anonymised after a
// retention period) and the yearly statistics of 信访工作条例 Art. 41.
//
// The rules come from docs/domain.md: "The case lifecycle", "Time limits a
// case tracker must enforce" (信访工作条例 Art. 20–23, 34–36, 41; 人民调解法
// Art. 27–33; 劳动争议调解仲裁法 Art. 14; 医疗纠纷预防和处理条例 Art. 38;
// 市场监督管理投诉举报处理暂行办法 Art. 14, 21; 法律援助法 Art. 43; 最高法
// 特邀调解规定 Art. 27), "Satisfaction rating" (国办发〔2019〕51号) and
// "Personal information" (个人信息保护法 Art. 13, 19, 34, 51, 55–56).
//
// It is part of the domain: standard library, yiting/queue and
// yiting/queue/personal only. Storage is declared here (Store) and
// implemented by queue/boltstore.
package cases
