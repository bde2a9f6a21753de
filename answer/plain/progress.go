package plain

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// ProgressBar returns a progress callback (done of total) drawing on w when w is a terminal
// and the work takes more than a second; otherwise nil.
func ProgressBar(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	start := time.Now()
	var last time.Time
	return func(done, total int) {
		now := time.Now()
		if now.Sub(start) < time.Second || (done < total && now.Sub(last) < 100*time.Millisecond) || total == 0 {
			return
		}
		last = now
		const width = 30
		filled := width * done / total
		bar := make([]byte, width)
		for i := range bar {
			bar[i] = '.'
			if i < filled {
				bar[i] = '#'
			}
		}
		fmt.Fprintf(f, "\rembedding [%s] %d/%d", bar, done, total)
		if done >= total {
			fmt.Fprintln(f)
		}
	}
}
