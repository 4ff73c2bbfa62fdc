pub struct Handle;
