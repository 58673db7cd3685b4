package queue

import "container/heap"

// waitq holds waiting tickets in call order — earliest arrival first, then
// lowest id — as a heap that also removes from the middle, so that every
// operation of call-next costs O(log n) in the waiting tickets.
// A ticket is in at most one waitq; its heap index lives in the ticket
// (Ticket.qi) so that the queue needs no map beside its slice.
type waitq struct {
	items []*Ticket
	less  func(a, b *Ticket) bool // before, or apptBefore for appointments
}

func newWaitq() *waitq { return &waitq{less: before} }

func before(a, b *Ticket) bool {
	if !a.ArrivedAt.Equal(b.ArrivedAt) {
		return a.ArrivedAt.Before(b.ArrivedAt)
	}
	return a.ID < b.ID
}

// heap.Interface, on the unexported side.
type waitqHeap waitq

func (h *waitqHeap) Len() int           { return len(h.items) }
func (h *waitqHeap) Less(i, j int) bool { return h.less(h.items[i], h.items[j]) }
func (h *waitqHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.items[i].qi = i
	h.items[j].qi = j
}
func (h *waitqHeap) Push(x any) {
	t := x.(*Ticket)
	t.qi = len(h.items)
	h.items = append(h.items, t)
}
func (h *waitqHeap) Pop() any {
	n := len(h.items) - 1
	t := h.items[n]
	h.items[n] = nil
	h.items = h.items[:n]
	t.qi = -1
	return t
}

func (q *waitq) Len() int { return len(q.items) }

func (q *waitq) push(t *Ticket) { heap.Push((*waitqHeap)(q), t) }

// head is the ticket to call first, or nil.
func (q *waitq) head() *Ticket {
	if len(q.items) == 0 {
		return nil
	}
	return q.items[0]
}

// remove takes the ticket out wherever it stands; false if it is not in
// this queue.
func (q *waitq) remove(t *Ticket) bool {
	if t.qi < 0 || t.qi >= len(q.items) || q.items[t.qi] != t {
		return false
	}
	heap.Remove((*waitqHeap)(q), t.qi)
	return true
}

// countBefore counts the tickets that stand before t. O(n): for lookups,
// not for the hot path.
func (q *waitq) countBefore(t *Ticket) int {
	n := 0
	for _, x := range q.items {
		if x.ID != t.ID && q.less(x, t) {
			n++
		}
	}
	return n
}
