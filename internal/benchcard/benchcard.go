// Package benchcard is the card every benchmark renders: the make-up of the
// satori comparison in scripts/satori (tag, 3-line title, 2-line
// description, author) with a title distinct per i so nothing is cached.
package benchcard

import (
	"fmt"
	"net/url"
)

// Values returns the parameters of benchmark card i.
func Values(i int) url.Values {
	return url.Values{
		"template":    {"blog"},
		"title":       {fmt.Sprintf("Benchmark card number %d: how we render social images at the edge without a headless browser", i)},
		"description": {"A deep dive into WebAssembly, wazero and glyph caches that make Open Graph cards render in milliseconds on two cores, with room to spare."},
		"tag":         {"Engineering"},
		"author":      {"Ada Lovelace"},
	}
}

// Query returns benchmark card i as a query string.
func Query(i int) string { return Values(i).Encode() }

// Scripts are the cards of the world-text benchmarks, by name: the same
// make-up as Values (tag, a title that wraps to about three lines, a
// two-line description, the author) in Japanese, Arabic, and Latin with
// emoji. "latin" is Values itself.
var Scripts = []string{"latin", "ja", "ar", "emoji"}

// ScriptValues returns benchmark card i in one of Scripts, with a title
// distinct per i.
func ScriptValues(script string, i int) url.Values {
	q := Values(i)
	switch script {
	case "ja":
		q.Set("title", fmt.Sprintf("ベンチマーク第%d号：ヘッドレスブラウザなしでエッジでソーシャル画像を描画する方法", i))
		q.Set("description", "WebAssemblyとwazero、グリフキャッシュによって、二つのコアでミリ秒単位でカードを描画します。")
		q.Set("tag", "技術")
		q.Set("author", "山田 太郎")
	case "ar":
		q.Set("title", fmt.Sprintf("بطاقة القياس رقم %d: كيف نرسم صور المشاركة على الحافة دون متصفح", i))
		q.Set("description", "نظرة معمقة في WebAssembly و wazero وذاكرة الحروف التي ترسم البطاقات في أجزاء من الثانية.")
		q.Set("tag", "هندسة")
		q.Set("author", "أحمد علي")
	case "emoji":
		q.Set("title", fmt.Sprintf("Benchmark card %d 🚀 social images 👋🏽 at the edge 👨‍👩‍👧 without a browser 🇯🇵 1️⃣", i))
		q.Set("description", "A deep dive 🎉 into WebAssembly, wazero and glyph caches ❤️ that render cards in milliseconds 👍🏿.")
		q.Set("tag", "🎉 News")
	}
	return q
}
