package renderpool

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"github.com/ogmint/ogmint/templates/fontpack"
)

// worldAlphabets are letters of every script the fallback families draw,
// and emoji sequences, for random titles.
var worldAlphabets = []string{
	"abcdefghijklmnopqrstuvwxyzAVTWY", "абвгдежзийклмнопрстуфхцчшщыэюя", "αβγδεζηθικλμνξοπρστυφχψω",
	"ابتثجحخدذرزسشصضطظعغفقكلمنهوي", "پچژگکی", "אבגדהוזחטיכלמנסעפצקרשת", "कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह्िीुूेैोौं",
	"কখগঘঙচছজঝঞটঠডঢণতথদধনপফবভমযরলশষসহ্িীুূেৈোৌং", "கஙசஞடணதநபமயரலவழளறன்ிீுூெேைொோௌ",
	"กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรฤลฦวศษสหฬอฮะัาำิีึืุูเแโใไ่้๊๋",
	"ԱԲԳԴԵԶԷԸԹԺԻԼԽԾԿՀՁՂՃՄՅՆՇՈՉՊՋՌՍՎՏՐՑՒՓՔՕՖաբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ",
	"აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ", "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴",
	"あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコサシスセソタチツテト。、「」",
	"가각간갈감갑값강개객거건걸검게겨격견결경계고곡곤골공과관광교구국군굴궁권귀규균그극근글금급기긴길김깊까나낙난날남납낭내냉너널넓네녀년념노녹논놀농뇌누눈뉴느늘능니다단달담답당대더던덕도독돌동두둘뒤드득들등디따때또뜻라락란람랑래량러럼렁레려력련렬령례로록론료루류률르를름릉리린림립마막만많말망매맥머먹멀메며면명모목몰못몽무묵문물미민밀바박반발밝방배백번벌범법벽변별병보복본볼봉부북분불붉비빈빛사삭산살삼상새색생서석선설섬성세소속손송수숙순술숨쉬스슬습승시식신실심십싸쓰씨아악안알암압앙애액야약양어억언얼엄업없에여역연열염엽영예오옥온올옷와완왕외요욕용우운울움웅원월위유육윤율은을음읍응의이익인일임입있자작잔잠장재쟁저적전절점접정제조족존졸종좋좌죄주죽준줄중즉즐증지직진질집징짜차착찬찰참창채책처척천철첨첩청체초촉촌총최추축춘출충취측층치칙친칠침칭카쾌크큰타탁탄탈탐탑태택터토통퇴투특틀파판팔패편평폐포폭표품풍프피필하학한할함합항해핵행향허헌험혁현혈협형혜호혹혼홍화확환활황회획효후훈휘휴흉흑흔흘흥희흰히힘",
	"👋🏽", "👨\u200d👩\u200d👧", "🇯🇵", "🇫🇷", "1\ufe0f\u20e3", "❤\ufe0f", "🚀", "🎉", "😀", "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", "👍🏿",
}

// randomTitle is a title of 2-12 words, each from one random alphabet.
func randomTitle(r *rand.Rand, maxRunes int) string {
	var b strings.Builder
	n := 0
	for w := 2 + r.IntN(11); w > 0 && n < maxRunes; w-- {
		alpha := []rune(worldAlphabets[r.IntN(len(worldAlphabets))])
		if len(alpha) <= 12 { // an emoji sequence: as it is
			b.WriteString(string(alpha))
		} else {
			for k := 1 + r.IntN(8); k > 0; k-- {
				b.WriteRune(alpha[r.IntN(len(alpha))])
			}
		}
		b.WriteByte(' ')
		n += 10
	}
	return strings.TrimSpace(b.String())
}

// TestWorldTextMemory: 10,000 renders of random text in every script, with
// every fallback family handed over, all succeed and the instance's linear
// memory stays under 64 MiB (issue "world text", bounded memory).
func TestWorldTextMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 renders: skipped in -short")
	}
	cat, err := fontpack.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(context.Background(), moduleBytes(t), Config{Instances: 1, CacheDir: testCacheDir, Deadline: relaxedDeadline, Fonts: cat})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	r := rand.New(rand.NewPCG(9, 1))
	templates := []string{"blog", "article", "profile", "docs", "minimal"}
	const renders = 10000
	for i := range renders {
		q := url.Values{"template": {templates[i%len(templates)]}, "title": {randomTitle(r, 150)},
			"description": {randomTitle(r, 300)}, "tag": {randomTitle(r, 20)}, "author": {randomTitle(r, 30)}}
		if err := p.Render(context.Background(), []byte(q.Encode()), func([]byte) error { return nil }); err != nil {
			t.Fatalf("render %d (%s): %v", i, q.Encode(), err)
		}
		if testing.Verbose() && i%10 == 0 {
			t.Logf("render %d: %.1f MiB", i, float64(p.Stats().MaxMemoryBytes)/(1<<20))
		}
	}
	mem := p.Stats().MaxMemoryBytes
	t.Logf("instance linear memory after %d random-script renders: %.1f MiB; replacements: %d", renders, float64(mem)/(1<<20), p.Stats().Replaced)
	if mem >= 64<<20 {
		t.Fatalf("instance memory %.1f MiB, want < 64 MiB", float64(mem)/(1<<20))
	}
}

// TestCollectorLimiterDoesNotStall: after a call during which the Go
// collector's CPU limiter turned on inside the module (as it does when the
// module's heap sits at its soft memory limit, as with every fallback family
// handed over), the instance still collects. The limiter turns mark assists
// off and is only turned off again by the scheduler; a wasm instance has one
// thread and no preemption, so without the scheduler running between calls
// the collection in progress never finished and every later render's
// garbage stayed (TestWorldTextMemory ran out of the 128 MiB cap at a random
// render, ~1.5 MiB a render).
func TestCollectorLimiterDoesNotStall(t *testing.T) {
	p := newPool(t, Config{Instances: 1})
	if err := p.Render(context.Background(), []byte(sampleQuery+"&debug_gc_limiter_s=20"), nil); err != nil {
		t.Fatalf("turning the limiter on: %v", err)
	}
	// Each render leaves 4 MiB of garbage (the module keeps only the last
	// debug_alloc_mb buffer): 50 of them are 200 MiB if nothing is collected.
	start := p.Stats().MaxMemoryBytes
	for i := range 50 {
		q := fmt.Sprintf("template=blog&title=Card+%d&debug_alloc_mb=4", i)
		if err := p.Render(context.Background(), []byte(q), nil); err != nil {
			t.Fatalf("render %d after the limiter turned on (memory %.1f MiB then): %v", i, float64(start)/(1<<20), err)
		}
	}
	end := p.Stats().MaxMemoryBytes
	t.Logf("linear memory %.1f MiB once the limiter was on, %.1f MiB 50 renders later", float64(start)/(1<<20), float64(end)/(1<<20))
	if end >= 64<<20 {
		t.Fatalf("linear memory grew from %.1f to %.1f MiB in 50 renders, want < 64 MiB", float64(start)/(1<<20), float64(end)/(1<<20))
	}
}
