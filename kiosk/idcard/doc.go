// Package idcard drives the resident ID card readers of Chinese service
// halls (华视 CVR-100, 神思 SS628, 新中新 DKQ-A16D, 精伦 iDR210 and clones):
// the framed serial protocol of GA 467-2013 / GA/T 467-2019
// 《居民身份证验证安全控制模块接口技术规范》, as collected in
// docs/idcard-protocol.md.
//
// The package has three layers:
//
//   - frames (Command, Response, Decoder): byte-exact encoding, preamble
//     resynchronisation after junk, the XOR checksum, SW3 status codes mapped
//     to sentinel errors (ErrNoCard, ErrSelect, ErrRead, ErrSAM, …);
//   - Conn: one command at a time over an io.ReadWriter (a serial port opened
//     with a read timeout), with per-command timeouts;
//   - Reader: the polling loop the kiosk runs. It opens the port through a
//     function it is given, checks the security module (SAM), polls for a
//     card, delivers one Event per placement, and reconnects with backoff when
//     the device disappears.
//
// The text block of a card is parsed into an Identity (all four card types:
// resident, HK/Macau/Taiwan residence permit, foreign permanent resident
// 2017 and 2023). The photo is never decoded or kept, nor is fingerprint
// data. An Identity prints masked (MaskID, MaskName, MaskAddress) through
// fmt and log/slog so that a whole ID number never reaches a log.
//
// Only cmd/ opens serial ports; tests use a pseudo-terminal with the
// simulated reader of package idcardsim on the other end.
package idcard
