package text

// Question words and function words that say nothing about a question's
// topic. The answer engine weighs question terms with them: multi-character
// phrases are removed with every token overlapping them; single characters
// are dropped as tokens but keep the bigrams they are part of (有 in 有效).
// Retrieval's BM25 side replaces Interrogatives and InterrogativeChars in a
// query with spaces; its local embedder down-weights EmbedStopChars.
var (
	// Interrogatives are Chinese question words and the demonstratives
	// that stand in a question for its topic. A phrase listed before
	// another that it contains wins where both match (为什么 before 什么).
	Interrogatives = []string{
		"为什么", "為什麼", "为甚么", "為甚麼", "什么样", "什麼樣", "甚麼", "甚么", "什么", "什麼", "哪些", "哪个", "哪個", "哪里", "哪裡",
		"哪儿", "哪兒", "哪位", "哪一", "哪种", "哪種", "如何", "怎么样", "怎麼樣", "怎么", "怎麼", "怎样", "怎樣",
		"为何", "為何", "多少", "多久", "多长", "多長", "多大", "多高", "多远", "多遠", "是否", "何时", "何時", "何地", "何人",
		"何种", "何種", "何处", "何處", "何年", "请问", "請問", "是谁", "是誰", "有没有", "有沒有",
		"这次", "這次", "此次", "本次", "那次", "这项", "這項", "这些", "這些", "这个", "這個",
	}
	// InterrogativeChars are the single-character question words and
	// particles that retrieval also drops from a query (after
	// Interrogatives), bigrams and all. A lone 何 is kept: it is a common
	// surname (何立峰). Measured on the eval sets (hybrid recall@1):
	// Interrogatives alone lose 0.1 point on drcd_dev (0.968 to 0.967);
	// with these characters they match or beat the former retrieval list on
	// every set (cmrc2018_trial 0.986 to 0.987, drcd_dev and seed_dev
	// equal).
	InterrogativeChars = "哪谁誰几幾吗嗎呢"
	// FunctionChars are frequent Chinese function characters.
	FunctionChars = "的了是有在和与與及或被把将將对對从從于於吗嗎呢吧啊呀么麼哪谁誰几幾何其之也都就而还還又那这這个個些"
	// EmbedStopChars are the frequent characters, Simplified and
	// Traditional, that retrieval's local embedder down-weights (it has no
	// idf). A second list because FunctionChars loses there: measured on
	// the eval sets (vector-only recall@1), FunctionChars instead of these
	// loses 2.4 points on cmrc2018_trial (0.784 to 0.760) and 3.1 on
	// drcd_dev (0.690 to 0.659); their union loses 0.1 on cmrc2018_trial.
	EmbedStopChars = "的了是在和与及或也而且就都又把被对为于以之其这那个些有无不没一上下中到从向给让使将由等着过吗呢吧啊么什哪谁何几多少如怎样们他她它我你您此各所并该要会能可已则並與為於這個們對從給讓將過嗎麼誰幾樣該會則即亦乃"
	// FollowupWords carry no topic of their own in a follow-up question.
	FollowupWords = []string{
		"还有", "還有", "其他", "其它", "另外", "具体", "具體", "详细", "詳細", "更多", "方面", "要求", "内容", "內容",
		"措施", "情况", "情況", "问题", "問題", "意思", "一下", "它们", "它們", "他们", "他們", "她们", "她們", "这个", "這個",
		"那个", "那個", "这些", "這些", "那些", "提到", "说了", "說了", "讲了", "講了", "部分", "方向", "举措", "舉措",
		"说", "說", "讲", "講", "谈", "談", "再", "多", "点", "點", "它", "他", "她", "该", "該", "此",
	}
	// EnglishStop are English function words.
	EnglishStop = map[string]bool{
		"a": true, "an": true, "the": true, "of": true, "to": true, "in": true, "on": true, "for": true,
		"and": true, "or": true, "is": true, "are": true, "was": true, "were": true, "be": true, "been": true,
		"do": true, "does": true, "did": true, "what": true, "which": true, "who": true, "whom": true,
		"whose": true, "when": true, "where": true, "why": true, "how": true, "about": true, "with": true,
		"by": true, "at": true, "from": true, "as": true, "that": true, "this": true, "these": true,
		"those": true, "it": true, "its": true, "they": true, "them": true, "their": true, "there": true,
		"can": true, "could": true, "should": true, "would": true, "will": true, "shall": true, "may": true,
		"might": true, "must": true, "has": true, "have": true, "had": true, "say": true, "said": true,
		"says": true, "tell": true, "me": true, "us": true, "we": true, "you": true, "i": true, "any": true,
		"much": true, "many": true, "some": true, "into": true, "than": true, "then": true, "so": true,
		"if": true, "not": true, "no": true, "also": true, "document": true,
	}
	// EnglishFollowup are English words that carry no topic in a
	// follow-up question.
	EnglishFollowup = map[string]bool{
		"else": true, "more": true, "other": true, "others": true, "detail": true, "details": true,
		"specific": true, "specifically": true, "requirement": true, "requirements": true, "aspect": true,
		"aspects": true, "regarding": true, "anything": true, "something": true, "part": true, "side": true,
		"further": true, "again": true, "too": true, "either": true,
	}
	// MeasureWords are the units a 几/多少 question may ask for.
	MeasureWords = "天日年月岁歲个個次人名位家座条條种種项項分秒元米里公斤吨噸倍届屆期场場集章部本件只隻位"
)
