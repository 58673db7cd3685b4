// Package personal protects visitors' personal data (个人信息保护法 Art. 51;
// 居民身份证法 Art. 13, 19): the hall's secret key, the keyed hash that
// recognises a returning visitor without storing the ID number in the
// clear, AES-256-GCM sealing of the data at rest, and the one masking
// pattern used on every screen, ticket, log and export.
//
// Standard library only: it is part of the domain.
package personal
