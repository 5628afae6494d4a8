package fsm

import (
	"errors"
	"fmt"
)

// ErrInvalidTransition is the category of every move the lifecycle does not
// allow. Match it with errors.Is; errors.As with *TransitionError gives the
// event and the state.
var ErrInvalidTransition = errors.New("invalid lifecycle transition")

// TransitionError says which event was refused in which state.
type TransitionError struct {
	Event Event
	State State
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("event %s is not allowed in state %s", e.Event, e.State)
}

// Unwrap returns ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }
