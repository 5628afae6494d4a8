// Package fsm is the lifecycle of the integration between Amazon VPC IP
// Address Manager (IPAM) and AWS Organizations, as a finite state machine:
//
//	none     --enable-trusted-access-->      trusted
//	disabled --enable-trusted-access-->      trusted
//	trusted  --delegate-->                   delegated
//	delegated --remove-delegate-->           trusted
//	trusted  --disable-trusted-access-->     disabled
//	disabled --delete-service-linked-role--> none
//
// It knows nothing about AWS: package ipamorg observes AWS, asks Path for
// the events that lead to a desired state and fires them on a Machine as
// each AWS call is confirmed, the machine's callback reporting each
// transition. StateUnknown, which no event leaves, is what an observer
// reports when it could not read what decides the state. The machine wraps
// github.com/looplab/fsm; every table and callback key handed to it is
// built from the constants here.
package fsm
