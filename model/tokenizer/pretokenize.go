package tokenizer

import "fmt"

// Pre-tokenization splits text into words before BPE merging, as llama.cpp's
// unicode_regex_split does for each tokenizer.ggml.pre value. llama.cpp runs a
// list of regexes one after the other: each one splits every chunk left by the
// previous one into its matches and the gaps between them. Two of its regexes
// have hand-written implementations in llama.cpp (GPT-2's and LLaMA-3's); the
// others run through std::regex (ECMAScript, leftmost-first backtracking) on a
// "collapsed" text in which every non-ASCII code point stands for its Unicode
// category. Go's regexp has neither look-ahead nor those semantics, so each
// regex is a small hand-written scanner here, reasoned from the regex text and
// the ECMAScript matching rules; they work on code point flags, which gives
// exactly the collapsed-category behaviour.

// cpText is text decoded into code points with their flags.
type cpText struct {
	cps   []rune
	flags []uint16
}

// at returns the flags of position p, or 0 when p is outside [start, end):
// llama.cpp's OUT_OF_RANGE, which also ends every look-ahead at a chunk edge.
func (t *cpText) at(p, start, end int) uint16 {
	if p < start || p >= end {
		return 0
	}
	return t.flags[p]
}

// splitStep splits the chunk [start, end) and appends the lengths of its pieces.
type splitStep func(t *cpText, start, end int, out []int) []int

// preSplitter is the list of steps of one pre-tokenizer.
type preSplitter struct {
	name  string
	steps []splitStep
}

// preTypes maps tokenizer.ggml.pre values to pre-tokenizers and to the vocab
// options llama.cpp ties to them.
type preInfo struct {
	split        *preSplitter
	cleanSpaces  bool
	ignoreMerges bool
	addBOS       bool // llama.cpp's default add_bos for this pre (keys override it)
	noBOS        bool // no default BOS id (chatglm)
}

var (
	splitDefault  = &preSplitter{"default", []splitStep{regexStep(matchPunctDefault), splitGPT2, regexStep(matchNumbers), regexStep(match3Digits)}}
	splitGPT2Only = &preSplitter{"gpt-2", []splitStep{splitGPT2}}
	splitStar     = &preSplitter{"starcoder", []splitStep{regexStep(matchNumber), splitGPT2}}
	splitFalcon   = &preSplitter{"falcon", []splitStep{regexStep(matchPunctFalcon), splitGPT2, regexStep(match3Digits)}}
	splitLlama3   = &preSplitter{"llama3", []splitStep{splitLlama3Like(3)}}
	splitQwen2    = &preSplitter{"qwen2", []splitStep{splitLlama3Like(1)}}
	splitDSCoder  = &preSplitter{"deepseek-coder", []splitStep{regexStep(matchCRLF), regexStep(matchWSLetters), regexStep(matchWSPunct), regexStep(matchCJK), regexStep(matchNumber)}}
	splitDSLLM    = &preSplitter{"deepseek-llm", []splitStep{regexStep(matchCRLF), regexStep(matchWSLatin), regexStep(matchWSPunctLLM), splitTrailingWS, regexStep(matchCJK), regexStep(matchNumbers)}}
)

func lookupPre(pre string) (preInfo, error) {
	switch pre {
	case "", "default":
		return preInfo{split: splitDefault, cleanSpaces: true}, nil
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
		return preInfo{split: splitLlama3, cleanSpaces: true, ignoreMerges: true, addBOS: true}, nil
	case "dbrx", "smaug-bpe":
		return preInfo{split: splitLlama3, cleanSpaces: true}, nil
	case "glm4", "chatglm-bpe":
		return preInfo{split: splitLlama3, cleanSpaces: true, noBOS: true}, nil
	case "deepseek-llm":
		return preInfo{split: splitDSLLM}, nil
	case "deepseek-coder":
		return preInfo{split: splitDSCoder}, nil
	case "falcon":
		return preInfo{split: splitFalcon, cleanSpaces: true}, nil
	case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2":
		return preInfo{split: splitStar, cleanSpaces: true}, nil
	case "command-r", "smollm":
		return preInfo{split: splitStar}, nil
	case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum",
		"modern-bert", "mpt", "olmo", "jais", "exaone4", "jina-v1-en", "jina-v2-code", "roberta-bpe":
		return preInfo{split: splitGPT2Only, cleanSpaces: true}, nil
	case "trillion", "granite-docling":
		return preInfo{split: splitGPT2Only}, nil
	case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "grok-2":
		return preInfo{split: splitQwen2}, nil
	case "stablelm2", "megrez":
		return preInfo{split: splitQwen2, cleanSpaces: true}, nil
	}
	return preInfo{}, fmt.Errorf("tokenizer: unsupported pre-tokenizer %q", pre)
}

// PreTokenize splits text into the words the pre-tokenizer named pre (a
// tokenizer.ggml.pre value such as "qwen2") hands to BPE. Words are UTF-8 as
// llama.cpp sees them: invalid bytes have become U+FFFD.
func PreTokenize(pre, text string) ([]string, error) {
	info, err := lookupPre(pre)
	if err != nil {
		return nil, err
	}
	var sc splitScratch
	var words []string
	info.split.split(&sc, text, func(w []byte) { words = append(words, string(w)) })
	return words, nil
}

// splitScratch holds buffers reused across calls.
type splitScratch struct {
	t        cpText
	off, tmp []int
	word     []byte
}

// split decodes text, runs the steps and calls emit with each word (valid
// until emit returns).
func (ps *preSplitter) split(sc *splitScratch, text string, emit func(word []byte)) {
	t := &sc.t
	t.cps, t.flags = t.cps[:0], t.flags[:0]
	for i := 0; i < len(text); {
		if b := text[i]; b < 0x80 {
			t.cps = append(t.cps, rune(b))
			t.flags = append(t.flags, asciiFlags[b])
			i++
			continue
		}
		c, n := decodeCpt(text, i)
		i += n
		t.cps = append(t.cps, c)
		t.flags = append(t.flags, cptFlags(c))
	}
	if len(t.cps) == 0 {
		return
	}
	sc.off = append(sc.off[:0], len(t.cps))
	for _, step := range ps.steps {
		sc.tmp = sc.tmp[:0]
		start := 0
		for _, n := range sc.off {
			sc.tmp = step(t, start, start+n, sc.tmp)
			start += n
		}
		sc.off, sc.tmp = sc.tmp, sc.off
	}
	start := 0
	for _, n := range sc.off {
		w := sc.word[:0]
		for _, c := range t.cps[start : start+n] {
			w = appendCpt(w, c)
		}
		sc.word = w
		emit(w)
		start += n
	}
}

// regexStep turns a matcher into a std::regex-style split: at each position
// from the left the matcher is tried; a match becomes a piece, and the code
// points no match covers are kept together as one piece.
func regexStep(match func(t *cpText, p, end int) int) splitStep {
	return func(t *cpText, start, end int, out []int) []int {
		gap := start
		for p := start; p < end; {
			n := match(t, p, end)
			if n == 0 {
				p++
				continue
			}
			if p > gap {
				out = append(out, p-gap)
			}
			out = append(out, n)
			p += n
			gap = p
		}
		if gap < end {
			out = append(out, end-gap)
		}
		return out
	}
}

// splitGPT2 is GPT-2's regex, as llama.cpp's custom implementation runs it:
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func splitGPT2(t *cpText, start, end int, out []int) []int {
	const wln = fWS | fLetter | fNumber
	prev := start
	emit := func(e int) {
		if e > prev {
			out = append(out, e-prev)
		}
		prev = e
	}
	for pos := start; pos < end; {
		c, f := t.cps[pos], t.flags[pos]
		if c == '\'' && pos+1 < end {
			n := t.cps[pos+1]
			if n == 's' || n == 't' || n == 'm' || n == 'd' {
				pos += 2
				emit(pos)
				continue
			}
			if pos+2 < end {
				nn := t.cps[pos+2]
				if (n == 'r' && nn == 'e') || (n == 'v' && nn == 'e') || (n == 'l' && nn == 'l') {
					pos += 3
					emit(pos)
					continue
				}
			}
		}
		f2 := f
		if c == ' ' {
			f2 = t.at(pos+1, start, end)
		}
		switch {
		case f2&fLetter != 0:
			if c == ' ' {
				pos++
			}
			for t.at(pos, start, end)&fLetter != 0 {
				pos++
			}
			emit(pos)
			continue
		case f2&fNumber != 0:
			if c == ' ' {
				pos++
			}
			for t.at(pos, start, end)&fNumber != 0 {
				pos++
			}
			emit(pos)
			continue
		case f2&wln == 0 && f2 != 0:
			if c == ' ' {
				pos++
			}
			for g := t.at(pos, start, end); g&wln == 0 && g != 0; g = t.at(pos, start, end) {
				pos++
			}
			emit(pos)
			continue
		}
		k := 0
		for t.at(pos+k, start, end)&fWS != 0 {
			k++
		}
		switch {
		case k > 1 && pos+k < end: // \s+(?!\S): leave the last space to the next word
			pos += k - 1
		case k > 0:
			pos += k
		default:
			pos++
		}
		emit(pos)
	}
	return out
}

// splitLlama3Like is the LLaMA-3 regex (maxDigits 3, llama.cpp's custom
// implementation) and the Qwen2 one (maxDigits 1, run by std::regex in
// llama.cpp; for this pattern both give the same pieces):
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func splitLlama3Like(maxDigits int) splitStep {
	return func(t *cpText, start, end int, out []int) []int {
		const wln = fWS | fLetter | fNumber
		prev := start
		emit := func(e int) {
			if e > prev {
				out = append(out, e-prev)
			}
			prev = e
		}
		for pos := start; pos < end; {
			c, f := t.cps[pos], t.flags[pos]
			if c == '\'' && pos+1 < end {
				n := asciiLower(t.cps[pos+1])
				if n == 's' || n == 't' || n == 'm' || n == 'd' {
					pos += 2
					emit(pos)
					continue
				}
				if pos+2 < end {
					nn := asciiLower(t.cps[pos+2])
					if (n == 'r' && nn == 'e') || (n == 'v' && nn == 'e') || (n == 'l' && nn == 'l') {
						pos += 3
						emit(pos)
						continue
					}
				}
			}
			// [^\r\n\p{L}\p{N}]?\p{L}+
			if !(c == '\r' || c == '\n' || f&fNumber != 0) {
				if f&fLetter != 0 || t.at(pos+1, start, end)&fLetter != 0 {
					pos++
					for t.at(pos, start, end)&fLetter != 0 {
						pos++
					}
					emit(pos)
					continue
				}
			}
			// \p{N}{1,maxDigits}
			if f&fNumber != 0 {
				ini := pos
				for t.at(pos, start, end)&fNumber != 0 {
					pos++
					if pos-ini >= maxDigits {
						emit(pos)
						ini = pos
					}
				}
				emit(pos)
				continue
			}
			// ' ?[^\s\p{L}\p{N}]+[\r\n]*'
			f2 := f
			if c == ' ' {
				f2 = t.at(pos+1, start, end)
			}
			if f2&wln == 0 {
				if c == ' ' {
					pos++
				}
				for g := t.at(pos, start, end); g&wln == 0 && g != 0; g = t.at(pos, start, end) {
					pos++
				}
				for pos < end && (t.cps[pos] == '\r' || t.cps[pos] == '\n') {
					pos++
				}
				emit(pos)
				continue
			}
			// \s*[\r\n]+ | \s+(?!\S) | \s+
			k, lastRN := 0, -1
			for t.at(pos+k, start, end)&fWS != 0 {
				if c2 := t.cps[pos+k]; c2 == '\r' || c2 == '\n' {
					lastRN = pos + k + 1
				}
				k++
			}
			switch {
			case lastRN >= 0:
				pos = lastRN
			case k > 1 && pos+k < end:
				pos += k - 1
			case k > 0:
				pos += k
			default:
				pos++
			}
			emit(pos)
		}
		return out
	}
}

func asciiLower(c rune) rune {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// runOf returns how many code points from p on satisfy ok.
func runOf(t *cpText, p, end int, ok func(c rune, f uint16) bool) int {
	n := 0
	for p+n < end && ok(t.cps[p+n], t.flags[p+n]) {
		n++
	}
	return n
}

// optWSRun matches \s?X+ with ECMAScript backtracking: a leading whitespace is
// taken only if X+ matches after it.
func optWSRun(t *cpText, p, end int, ok func(c rune, f uint16) bool) int {
	if t.flags[p]&fWS != 0 && p+1 < end {
		if n := runOf(t, p+1, end, ok); n > 0 {
			return 1 + n
		}
	}
	return runOf(t, p, end, ok)
}

func isNumber(_ rune, f uint16) bool { return f&fNumber != 0 }
func isLetter(_ rune, f uint16) bool { return f&fLetter != 0 }
func isPunct(_ rune, f uint16) bool  { return f&fPunct != 0 }

// \p{N}
func matchNumber(t *cpText, p, end int) int {
	if t.flags[p]&fNumber != 0 {
		return 1
	}
	return 0
}

// \p{N}+
func matchNumbers(t *cpText, p, end int) int { return runOf(t, p, end, isNumber) }

// [0-9][0-9][0-9]
func match3Digits(t *cpText, p, end int) int {
	if p+3 <= end && isDigit(t.cps[p]) && isDigit(t.cps[p+1]) && isDigit(t.cps[p+2]) {
		return 3
	}
	return 0
}

func isDigit(c rune) bool { return c >= '0' && c <= '9' }

// [\r\n]
func matchCRLF(t *cpText, p, end int) int {
	if c := t.cps[p]; c == '\r' || c == '\n' {
		return 1
	}
	return 0
}

// [\p{P}\$\+<=>\^~\|]+
func matchPunctDefault(t *cpText, p, end int) int {
	return runOf(t, p, end, func(c rune, f uint16) bool {
		return f&fPunct != 0 || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' || c == '~' || c == '|'
	})
}

// [\p{P}\$\+<=>\^~\|`]+
func matchPunctFalcon(t *cpText, p, end int) int {
	return runOf(t, p, end, func(c rune, f uint16) bool {
		return f&fPunct != 0 || c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' || c == '~' || c == '|' || c == '`'
	})
}

// \s?\p{L}+
func matchWSLetters(t *cpText, p, end int) int { return optWSRun(t, p, end, isLetter) }

// \s?\p{P}+
func matchWSPunct(t *cpText, p, end int) int { return optWSRun(t, p, end, isPunct) }

// inRanges reports whether c is in one of the sorted-or-not inclusive ranges.
// llama.cpp runs regexes without categories on code points in which non-ASCII
// whitespace was replaced by \v, so whitespace never matches a class.
func inRanges(c rune, f uint16, r [][2]rune) bool {
	if f&fWS != 0 {
		return false
	}
	for _, x := range r {
		if c >= x[0] && c <= x[1] {
			return true
		}
	}
	return false
}

// [一-龥ࠀ-一가-퟿]+
var cjkRanges = [][2]rune{{0x4E00, 0x9FA5}, {0x0800, 0x4E00}, {0xAC00, 0xD7FF}}

func matchCJK(t *cpText, p, end int) int {
	return runOf(t, p, end, func(c rune, f uint16) bool { return inRanges(c, f, cjkRanges) })
}

// The cased-letter class of DeepSeek-LLM's second regex, \s?[A-Za-zµÀ-ÖØ-ö...]+.
var dsLatinRanges = [][2]rune{
	{0x0041, 0x005A}, {0x0061, 0x007A}, {0x00B5, 0x00B5}, {0x00C0, 0x00D6}, {0x00D8, 0x00F6},
	{0x00F8, 0x01BA}, {0x01BC, 0x01BF}, {0x01C4, 0x0293}, {0x0295, 0x02AF}, {0x0370, 0x0373},
	{0x0376, 0x0377}, {0x037B, 0x037D}, {0x037F, 0x037F}, {0x0386, 0x0386}, {0x0388, 0x038A},
	{0x038C, 0x038C}, {0x038E, 0x03A1}, {0x03A3, 0x03F5}, {0x03F7, 0x0481}, {0x048A, 0x052F},
	{0x0531, 0x0556}, {0x10A0, 0x10C5}, {0x13A0, 0x13F5}, {0x13F8, 0x13FD}, {0x1C90, 0x1CBA},
	{0x1CBD, 0x1CBF}, {0x1D00, 0x1D2B}, {0x1D6B, 0x1D77}, {0x1D79, 0x1D9A}, {0x1E00, 0x1F15},
	{0x1F18, 0x1F1D}, {0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59},
	{0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC},
	{0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB},
	{0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4}, {0x1FF6, 0x1FFC}, {0x2102, 0x2102}, {0x2107, 0x2107},
	{0x210A, 0x2113}, {0x2115, 0x2115}, {0x2119, 0x211D}, {0x2124, 0x2124}, {0x2126, 0x2126},
	{0x2128, 0x2128}, {0x212A, 0x212D}, {0x212F, 0x2134}, {0x2139, 0x2139}, {0x213C, 0x213F},
	{0x2145, 0x2149}, {0x214E, 0x214E}, {0x2183, 0x2184}, {0x2C00, 0x2C7B}, {0x2C7E, 0x2CE4},
	{0x2CEB, 0x2CEE}, {0x2CF2, 0x2CF3}, {0xA640, 0xA66D}, {0xA680, 0xA69B}, {0xA722, 0xA76F},
	{0xA771, 0xA787}, {0xA78B, 0xA78E}, {0xAB70, 0xABBF}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17},
	{0xFF21, 0xFF3A}, {0xFF41, 0xFF5A}, {0x10400, 0x1044F}, {0x104B0, 0x104D3}, {0x104D8, 0x104FB},
	{0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x118A0, 0x118DF}, {0x1E900, 0x1E943},
}

func matchWSLatin(t *cpText, p, end int) int {
	return optWSRun(t, p, end, func(c rune, f uint16) bool { return inRanges(c, f, dsLatinRanges) })
}

// \s?[!-/:-~！-／：-～‘-‟　-。]+
var dsPunctRanges = [][2]rune{{'!', '/'}, {':', '~'}, {0xFF01, 0xFF0F}, {0xFF1A, 0xFF5E}, {0x2018, 0x201F}, {0x3000, 0x3002}}

func matchWSPunctLLM(t *cpText, p, end int) int {
	return optWSRun(t, p, end, func(c rune, f uint16) bool { return inRanges(c, f, dsPunctRanges) })
}

// splitTrailingWS is \s+$: only the whitespace run that ends the chunk matches.
func splitTrailingWS(t *cpText, start, end int, out []int) []int {
	q := end
	for q > start && t.flags[q-1]&fWS != 0 {
		q--
	}
	if q > start {
		out = append(out, q-start)
	}
	if q < end {
		out = append(out, end-q)
	}
	return out
}
