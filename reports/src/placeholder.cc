// Placeholder so the library has a source until the renderers land.
namespace threadlens::reports {}
