package answer

// Progress is how far a long piece of work on one document (reading it:
// OCR page by page) has come: Stage names the step ("OCR", "reading"),
// and Done of Total units (pages) are finished. Total 0 means the size
// of the work is not known.
type Progress struct {
	Stage       string
	Done, Total int
}
